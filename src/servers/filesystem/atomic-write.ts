import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits for the file; defaults to 0o666 less the umask (as for any new file). */
  mode?: number;
}

/**
 * Writes `content` to a fresh temporary file in the same directory as `filePath`, flushes it, then renames it
 * over `filePath`. Readers see the old content or the new one, never a half-written file; a link that appears
 * at `filePath` meanwhile is replaced, not followed (rename does not follow links, and the temporary file is
 * created exclusively).
 */
export async function writeFileAtomic(filePath: string, content: string, options: AtomicWriteOptions = {}): Promise<void> {
  const directory = path.dirname(filePath);
  const temporaryPath = path.join(directory, `.${path.basename(filePath)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temporaryPath, 'wx', options.mode ?? 0o666);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporaryPath, filePath);
  } catch (error) {
    await fs.rm(temporaryPath, { force: true });
    throw error;
  }
}

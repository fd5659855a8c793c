import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import type { OpenDirectory } from './open-directory.js';

export interface AtomicWriteOptions {
  /** Permission bits for the file; defaults to 0o666 less the umask (as for any new file). */
  mode?: number;
}

/** A new file only: fails (EEXIST) on anything already there, a symbolic link included, which is never followed. */
const createExclusively = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes `content` to a fresh temporary file in `directory`, flushes it, then renames it over `name` there.
 * Readers see the old content or the new one, never a half-written file; a link that appears at `name`
 * meanwhile is replaced, not followed (rename does not follow links, and the temporary file is created
 * exclusively). Both the create and the rename go through the directory's checked descriptor, and the
 * temporary file's descriptor is checked too before a byte is written.
 */
export async function writeFileAtomic(
  directory: OpenDirectory,
  name: string,
  content: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temporaryName = `.${name}.${randomBytes(6).toString('hex')}.tmp`;
  const temporaryPath = directory.entryPath(temporaryName);
  const handle = await fs.open(temporaryPath, createExclusively, options.mode ?? 0o666);
  try {
    try {
      directory.check(handle, temporaryName);
      await handle.writeFile(content, 'utf8');
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporaryPath, directory.entryPath(name));
  } catch (error) {
    await fs.rm(temporaryPath, { force: true });
    throw error;
  }
}

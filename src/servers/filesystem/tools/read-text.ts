import type { PathGuard } from '../path-guard.js';
import { checkReadSize, openReadableFile, readAndClose } from '../readable-file.js';

const partialReadAdvice = 'Read part of it with read_text_file and head or tail.';

/** The whole of the file `requested` as UTF-8 text, refused when it is too large to pass to a model. */
export async function readText(guard: PathGuard, requested: string): Promise<string> {
  const file = await openReadableFile(guard, requested);
  return await readAndClose(file, async (handle) => {
    checkReadSize(requested, file.size, partialReadAdvice);
    return await handle.readFile({ encoding: 'utf8' });
  });
}

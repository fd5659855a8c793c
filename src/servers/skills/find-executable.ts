import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `program` is found: an absolute path is checked as it is; a bare name is looked up in the absolute
 * directories of `searchPath` (a PATH value), in order. Only regular files with an execute permission for this
 * process count; relative PATH entries are skipped, since they would depend on the current directory.
 */
export function findExecutable(program: string, searchPath: string | undefined): string | undefined {
  if (path.isAbsolute(program)) return isExecutableFile(program) ? program : undefined;
  for (const directory of (searchPath ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(directory)) continue;
    const candidate = path.join(directory, program);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

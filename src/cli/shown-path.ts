import { isAbsolute, relative } from 'node:path';

/**
 * A path as it is shown to a person: relative to where they stand (`.` for that directory itself) when it lies
 * beneath it, else absolute (a climb of `../../..` says less than the path itself). Not for JSON output, which
 * keeps absolute paths.
 */
export function shownPath(path: string, currentDirectory = process.cwd()): string {
  const inside = relative(currentDirectory, path);
  if (inside === '') return '.';
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

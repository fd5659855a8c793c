import { globToRegExp } from '../servers/filesystem/glob-match.js';

/**
 * The paths no glob allows (empty when all are allowed). Globs are over repository-relative paths with `/`
 * separators, as the filesystem server's: `*` within one path segment, `?` one character, `**` any number of whole
 * segments (`src/**` is everything under src/, `**\/*.json` every JSON file), `[a-z]` and `{a,b}`; a pattern
 * without a wildcard matches that one file.
 */
export function pathsOutside(paths: readonly string[], allowed: readonly string[]): string[] {
  const patterns = allowed.map(globToRegExp);
  return paths.filter((path) => !patterns.some((pattern) => pattern.test(path)));
}

/**
 * The paths a breakthrough may touch, as globs over repository-relative paths with `/` separators: `*` matches
 * within one path segment, `?` one character of a segment, `**` any number of whole segments (`src/**` is
 * everything under src/, `**\/*.json` every JSON file). A pattern without a wildcard matches that one file.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      const atSegmentStart = index === 0 || glob[index - 1] === '/';
      const followedBySlash = glob[index + 2] === '/';
      if (atSegmentStart && followedBySlash) {
        pattern += '(?:[^/]+/)*'; // `**/`: zero or more directories
        index += 2;
      } else if (atSegmentStart && index + 2 === glob.length) {
        pattern += '.*'; // trailing `**`: everything below
        index += 1;
      } else {
        pattern += '[^/]*';
        index += 1;
      }
    } else if (char === '*') {
      pattern += '[^/]*';
    } else if (char === '?') {
      pattern += '[^/]';
    } else {
      pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}

/** The paths no glob allows (empty when all are allowed). */
export function pathsOutside(paths: readonly string[], allowed: readonly string[]): string[] {
  const patterns = allowed.map(globToRegExp);
  return paths.filter((path) => !patterns.some((pattern) => pattern.test(path)));
}

/**
 * Glob patterns over `/`-separated relative paths, as the reference server's minimatch use with `dot: true`:
 * `*` any run of characters within one name, `**` any number of whole names (zero included), `?` one
 * character, `[abc]` / `[a-z]` / `[!abc]` a character class, `{a,b}` alternatives (nestable), `\` escapes.
 * Names starting with a dot are matched like any other.
 */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern, 0, false).source}$`, 'u');
}

/** Whether a `/`-separated relative path matches the glob `pattern` as a whole. */
export function matchesGlob(relativePath: string, pattern: string): boolean {
  return globToRegExp(pattern).test(relativePath);
}

/**
 * How search_files and the exclude patterns apply a glob: a pattern with a `/` is matched against the whole
 * path relative to where the search started; one without (`*.ts`, `node_modules`) against each entry's own
 * name, at any depth, like a .gitignore line.
 */
export function matchesPathPattern(relativePath: string, pattern: string): boolean {
  const trimmed = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  if (trimmed.includes('/')) return matchesGlob(relativePath, trimmed);
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return matchesGlob(name, trimmed);
}

const special = /[.+^$()|\\/[\]{}*?]/;

function escapeCharacter(character: string): string {
  return special.test(character) ? `\\${character}` : character;
}

/**
 * Translates from `start` up to the end of the pattern or, inside braces, up to the closing `}` or the next
 * top-level `,`. Returns the regular expression source and where it stopped.
 */
function translate(pattern: string, start: number, inBraces: boolean): { source: string; end: number } {
  let source = '';
  let index = start;
  while (index < pattern.length) {
    const character = pattern[index] as string;
    if (inBraces && (character === ',' || character === '}')) return { source, end: index };
    if (character === '\\' && index + 1 < pattern.length) {
      source += escapeCharacter(pattern[index + 1] as string);
      index += 2;
    } else if (character === '*') {
      if (pattern[index + 1] === '*') {
        const atSegmentStart = index === 0 || pattern[index - 1] === '/';
        const next = pattern[index + 2];
        if (atSegmentStart && next === '/') {
          source += '(?:[^/]*/)*'; // `**/`: zero or more whole directories
          index += 3;
        } else if (atSegmentStart && next === undefined) {
          source += '.*'; // trailing `**`: everything below
          index += 2;
        } else {
          source += '[^/]*'; // `a**b` behaves as `*`
          index += 2;
        }
      } else {
        source += '[^/]*';
        index += 1;
      }
    } else if (character === '?') {
      source += '[^/]';
      index += 1;
    } else if (character === '[') {
      const characterClass = readCharacterClass(pattern, index);
      source += characterClass.source;
      index = characterClass.end;
    } else if (character === '{') {
      const alternatives = readAlternatives(pattern, index);
      source += alternatives.source;
      index = alternatives.end;
    } else {
      source += escapeCharacter(character);
      index += 1;
    }
  }
  return { source, end: index };
}

function escapeInClass(character: string): string {
  return /[\]\\^\-[/]/.test(character) ? `\\${character}` : character;
}

function readCharacterClass(pattern: string, start: number): { source: string; end: number } {
  let index = start + 1;
  let negated = false;
  if (pattern[index] === '!' || pattern[index] === '^') {
    negated = true;
    index += 1;
  }
  let body = '';
  let first = true;
  while (index < pattern.length && (pattern[index] !== ']' || first)) {
    const character = pattern[index] as string;
    if (character === '\\' && index + 1 < pattern.length) {
      body += escapeInClass(pattern[index + 1] as string);
      index += 2;
    } else {
      body += character === '-' ? '-' : escapeInClass(character);
      index += 1;
    }
    first = false;
  }
  if (index >= pattern.length || body === '') {
    return { source: '\\[', end: start + 1 }; // no closing bracket: a literal `[`
  }
  return { source: negated ? `[^/${body}]` : `[${body}]`, end: index + 1 };
}

function readAlternatives(pattern: string, start: number): { source: string; end: number } {
  const options: string[] = [];
  let index = start + 1;
  for (;;) {
    const part = translate(pattern, index, true);
    options.push(part.source);
    index = part.end;
    if (index >= pattern.length) return { source: '\\{', end: start + 1 }; // unclosed: a literal `{`
    if (pattern[index] === '}') break;
    index += 1; // past `,`
  }
  if (options.length === 1) return { source: `\\{${options[0] as string}\\}`, end: index + 1 };
  return { source: `(?:${options.join('|')})`, end: index + 1 };
}

/** One step into a JSON value: an object key, or an array index. */
export type FieldPathSegment = string | number;

const KEY = /^[^.[\]\s]+/;
const INDEX = /^\[(\d+)\]/;

/**
 * Reads a dotted field path with array indexes — `metrics.accuracy`, `runs[0].scores[2]`, `[1].name` — into
 * its steps. A leading `$` or `$.` (JSONPath habit) is allowed. Keys cannot hold dots, brackets or spaces.
 */
export function parseFieldPath(text: string): { segments: FieldPathSegment[] } | { problem: string } {
  let rest = text.trim().replace(/^\$\.?/, '');
  const segments: FieldPathSegment[] = [];
  const problem = (why: string) => ({
    problem: `the field \`${text}\` ${why}; write keys joined by dots with [N] for array items, e.g. \`metrics.accuracy\` or \`runs[0].score\``,
  });
  if (rest === '') return problem('is empty');
  let expectKey = !rest.startsWith('[');
  while (rest !== '') {
    if (expectKey) {
      const key = KEY.exec(rest);
      if (!key) return problem(`has an empty or unreadable key before "${rest}"`);
      segments.push(key[0]);
      rest = rest.slice(key[0].length);
    }
    for (let index = INDEX.exec(rest); index; index = INDEX.exec(rest)) {
      segments.push(Number(index[1]));
      rest = rest.slice(index[0].length);
    }
    if (rest === '') break;
    if (!rest.startsWith('.')) return problem(`cannot be read at "${rest}"`);
    rest = rest.slice(1);
    expectKey = true;
    if (rest === '') return problem('ends with a dot');
  }
  return { segments };
}

/** The path as written back: `runs[0].score`. */
export function formatFieldPath(segments: readonly FieldPathSegment[]): string {
  return segments
    .map((segment, position) =>
      typeof segment === 'number' ? `[${segment}]` : position === 0 ? segment : `.${segment}`,
    )
    .join('');
}

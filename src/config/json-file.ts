import { ConfigError } from '../errors/config-error.js';
import { firstDuplicateKey, MAX_JSON_DEPTH, tooDeepOffset } from './json-structure.js';
import { readProjectFile } from './read-project-file.js';

/**
 * Reads and parses a JSON file. Errors name the file and, for syntax errors, the line and column.
 * `label` is how the file is named in messages (e.g. "swarm.json"). Only a regular text file of at most
 * MAX_PROJECT_FILE_BYTES is read; nesting deeper than MAX_JSON_DEPTH and a key written twice in one object
 * (JSON.parse would keep the last silently) are errors naming where they are.
 */
export function readJsonFile(path: string, label: string, missingHint: string): unknown {
  const read = readProjectFile(path);
  if (!read.ok) {
    if (read.code === 'ENOENT')
      throw new ConfigError(label, [{ path: '', message: `not found at ${path}` }], missingHint);
    throw new ConfigError(label, [{ path: '', message: read.problem }]);
  }
  const json = read.text;
  const deep = tooDeepOffset(json);
  if (deep !== undefined) {
    throw new ConfigError(label, [
      {
        path: '',
        message: `nested more than ${MAX_JSON_DEPTH} levels deep at ${lineAndColumn(json, deep)}; a config file nests a few levels: check the brackets`,
      },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(label, [
      { path: '', message: `invalid JSON: ${describeSyntaxError(json, (error as Error).message)}` },
    ]);
  }
  const duplicate = firstDuplicateKey(json);
  if (duplicate) {
    throw new ConfigError(label, [
      {
        path: duplicate.path,
        message: `is written twice in one object (again at ${lineAndColumn(json, duplicate.offset)}); keep one of them`,
      },
    ]);
  }
  return value;
}

function describeSyntaxError(text: string, message: string): string {
  if (text.trim() === '') return 'the file is empty; it should hold a JSON object';
  const position = /at position (\d+)/.exec(message);
  const end = text.trimEnd().length;
  // A truncated file (a missing closing brace) fails where the text ends, with or without a position.
  if (/end of JSON input/.test(message) || (position && Number(position[1]) >= end)) {
    return `the file ends early at ${lineAndColumn(text, end)}: a closing "}", "]" or quote is missing`;
  }
  if (position)
    return `${message.replace(/ (in JSON )?at position \d+.*$/s, '')} at ${lineAndColumn(text, Number(position[1]))}`;
  // V8 names no position for a stray character either, and quotes the whole file instead (secrets included).
  const offset = firstBadCharacter(text);
  return offset === undefined
    ? 'not valid JSON'
    : `Unexpected character ${JSON.stringify(text[offset])} at ${lineAndColumn(text, offset)}`;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

/** Index of the first character JSON cannot accept: the shortest prefix that fails other than by ending early. */
function firstBadCharacter(text: string): number | undefined {
  const failsBeforeItsEnd = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message);
      return !/end of JSON input/.test(message) && !(position && Number(position[1]) >= length);
    }
  };
  if (!failsBeforeItsEnd(text.length)) return undefined;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsBeforeItsEnd(middle)) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

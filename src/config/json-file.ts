import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/config-error.js';

/**
 * Reads and parses a JSON file. Errors name the file and, for syntax errors, the line and column.
 * `label` is how the file is named in messages (e.g. "swarm.json").
 */
export function readJsonFile(path: string, label: string, missingHint: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(label, [{ path: '', message: `not found at ${path}` }], missingHint);
    if (code === 'EISDIR') throw new ConfigError(label, [{ path: '', message: `${path} is a directory, not a JSON file` }]);
    throw new ConfigError(label, [{ path: '', message: `cannot be read (${code ?? String(error)}) at ${path}` }]);
  }
  const json = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new ConfigError(label, [{ path: '', message: `invalid JSON: ${describeSyntaxError(json, (error as Error).message)}` }]);
  }
}

function describeSyntaxError(text: string, message: string): string {
  if (text.trim() === '') return 'the file is empty; it should hold a JSON object';
  const position = /at position (\d+)/.exec(message);
  const end = text.trimEnd().length;
  // A truncated file (a missing closing brace) fails where the text ends, with or without a position.
  if (/end of JSON input/.test(message) || (position && Number(position[1]) >= end)) {
    return `the file ends early at ${lineAndColumn(text, end)}: a closing "}", "]" or quote is missing`;
  }
  if (position) return `${message.replace(/ (in JSON )?at position \d+.*$/s, '')} at ${lineAndColumn(text, Number(position[1]))}`;
  // V8 names no position for a stray character either, and quotes the whole file instead (secrets included).
  const offset = firstBadCharacter(text);
  return offset === undefined ? 'not valid JSON' : `Unexpected character ${JSON.stringify(text[offset])} at ${lineAndColumn(text, offset)}`;
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

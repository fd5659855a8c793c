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
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(label, [{ path: '', message: `invalid JSON: ${describeSyntaxError(text, (error as Error).message)}` }]);
  }
}

function describeSyntaxError(text: string, message: string): string {
  const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
  const position = /at position (\d+)/.exec(message);
  if (!position) return reason;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${reason} at line ${line}, column ${column}`;
}

// One line for a parsed Python exception, for tool results, logs and run summaries:
// "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length' (in train.py:42, main)".
import type { PythonException, PythonFrame } from './python-traceback.js';

export interface DescribePythonExceptionOptions {
  /** The line is cut to this many characters, shortening the message first; default 300. */
  maxLength?: number;
}

const DEFAULT_MAXIMUM_LENGTH = 300;
/** Below this, a message is not worth keeping a stub of. */
const SHORTEST_MESSAGE = 20;

/**
 * `Type: message (in file.py:line, function)`: the message on one line, the location the script's own frame
 * (userFrame) or else the innermost one, the file by its name (`peft/__init__.py` for package files).
 * A failure reported from a child process is described instead, marked "[in a child process]"; a group adds its
 * first sub-exception that is not itself a group.
 */
export function describePythonException(
  exception: PythonException,
  options: DescribePythonExceptionOptions = {},
): string {
  const maxLength = Math.max(1, options.maxLength ?? DEFAULT_MAXIMUM_LENGTH);
  if (exception.childFailure) return describeOne(exception.childFailure, ' [in a child process]', maxLength);
  const leaf = firstLeafSubException(exception);
  if (!leaf) return describeOne(exception, '', maxLength);
  const leafDescription = describeOne(leaf, '', Math.max(40, Math.floor(maxLength / 2)));
  return describeOne(exception, `; first sub-exception: ${leafDescription}`, maxLength);
}

/** Through nested groups to the first exception that is not a group. */
function firstLeafSubException(exception: PythonException): PythonException | undefined {
  let leaf = exception.exceptions?.[0];
  while (leaf?.exceptions?.[0]) leaf = leaf.exceptions[0];
  return leaf;
}

function describeOne(exception: PythonException, suffix: string, maxLength: number): string {
  const frame = exception.userFrame ?? exception.frame;
  const tail = (frame ? ` (in ${describeLocation(frame)})` : '') + suffix;
  const message = exception.message.replace(/\s+/g, ' ').trim();
  if (message === '') return clip(exception.type + tail, maxLength);
  const room = maxLength - exception.type.length - 2 - tail.length;
  if (room >= message.length) return `${exception.type}: ${message}${tail}`;
  if (room >= SHORTEST_MESSAGE) return `${exception.type}: ${message.slice(0, room - 1).trimEnd()}…${tail}`;
  return clip(`${exception.type}: ${message}${tail}`, maxLength);
}

function describeLocation(frame: PythonFrame): string {
  const place = `${shortFileName(frame.file)}:${frame.line}`;
  return frame.function ? `${place}, ${frame.function}` : place;
}

function shortFileName(file: string): string {
  const parts = file.split(/[\\/]/).filter((part) => part !== '');
  const name = parts[parts.length - 1] ?? file;
  const folder = parts[parts.length - 2];
  return folder && (name === '__init__.py' || name === '__main__.py') ? `${folder}/${name}` : name;
}

function clip(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

// One printed exception: a traceback (header, frames, exception line, message), the location block of a
// SyntaxError in the main script (no header), or an exception printed without a traceback.
import type { PythonException, PythonFrame } from './python-traceback.js';
import { buildPythonException } from './python-traceback-exception.js';
import {
  chainLinkOfSeparator,
  findTracebackHeader,
  isBlank,
  isLocationMarkerLine,
  isLogLine,
  isNonFatalMarker,
  isRepeatedFramesLine,
  isStandaloneHeader,
  parseExceptionLine,
  parseFrameLine,
} from './python-traceback-shapes.js';

/** A message longer than this is cut: what follows is more likely unrelated output than the message. */
const MAXIMUM_MESSAGE_LINES = 200;
const MAXIMUM_MESSAGE_CHARACTERS = 64 * 1024;

export interface ParsedBlock {
  /** Undefined when the block is incomplete: no frame, or no exception line after the frames. */
  exception?: PythonException;
  /** Index of the first line after the block (its trailing blank lines excluded). */
  end: number;
}

/** Whether a plain (non-group) block starts here; group headers are recognised by findTracebackHeader. */
export function startsPlainBlock(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? '';
  const header = findTracebackHeader(line);
  if (header) return header.kind === 'plain';
  const frame = parseFrameLine(line);
  if (frame) return frame.function === undefined && frame.indent === 2;
  return isQuotedRemoteTraceback(lines, index);
}

/** Reads the block starting at `start`, which startsPlainBlock accepted. */
export function parsePlainBlock(lines: readonly string[], start: number): ParsedBlock {
  const line = lines[start] ?? '';
  if (findTracebackHeader(line)) return parseFramesAndException(lines, start + 1, false);
  if (parseFrameLine(line)) return parseFramesAndException(lines, start, true);
  return parseBareException(lines, start);
}

/** `Type: message` printed without a traceback (a chain link with no `__traceback__`, a group's sub-exception). */
export function parseBareException(lines: readonly string[], start: number): ParsedBlock {
  const parsed = parseExceptionLine(lines[start] ?? '');
  if (!parsed) return { end: start };
  const message = readExceptionMessage(lines, start + 1, parsed.message, 0);
  return { exception: buildPythonException(parsed.type, message.text, []), end: message.end };
}

/**
 * multiprocessing's `RemoteTraceback: ` and concurrent.futures' `_RemoteTraceback: `, whose message is the
 * worker's traceback between `"""` lines.
 */
function isQuotedRemoteTraceback(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? '';
  if ((lines[index + 1] ?? '').trim() !== '"""') return false;
  const parsed = parseExceptionLine(line);
  return parsed !== undefined && parsed.message === '' && line.includes(':');
}

/**
 * Frames from `start`, then the exception line and its message. The first frame line sets the indentation: an
 * embedded traceback (`  traceback : Traceback …` in a torch.distributed error) is indented as a whole.
 * Log lines another process wrote between the frames are skipped. Without a header, only a SyntaxError-style
 * location block is accepted.
 */
function parseFramesAndException(lines: readonly string[], start: number, headerless: boolean): ParsedBlock {
  const frames: PythonFrame[] = [];
  let baseIndent = -1;
  let cursor = start;
  for (; cursor < lines.length; cursor += 1) {
    const raw = lines[cursor] ?? '';
    if (frames.length > 0 && !raw.startsWith('    ') && isLogLine(raw)) continue;
    if (baseIndent < 0) {
      const first = parseFrameLine(raw);
      if (!first) break;
      baseIndent = Math.max(0, first.indent - 2);
    }
    const text = removeIndent(raw, baseIndent);
    if (text === undefined || isBlank(text)) break;
    const frameLine = parseFrameLine(text);
    if (frameLine && frameLine.indent === 2) {
      frames.push({ file: frameLine.file, line: frameLine.line, function: frameLine.function ?? '' });
      continue;
    }
    const current = frames[frames.length - 1];
    if (current && text.startsWith('    ')) {
      if (current.code === undefined && !isLocationMarkerLine(text)) current.code = text.trim();
      continue;
    }
    if (isRepeatedFramesLine(text)) continue;
    break;
  }
  if (frames.length === 0) return { end: cursor };
  const exceptionText = removeIndent(lines[cursor] ?? '', baseIndent);
  const parsed = exceptionText === undefined ? undefined : parseExceptionLine(exceptionText);
  if (!parsed) return { end: cursor };
  if (headerless && !parsed.type.endsWith('Error')) return { end: cursor };
  const message = readExceptionMessage(lines, cursor + 1, parsed.message, baseIndent);
  return { exception: buildPythonException(parsed.type, message.text, frames), end: message.end };
}

/**
 * The message goes on after the exception line until a line that cannot belong to it (see isMessageBoundary),
 * a line indented less than the traceback, or the limits. Blank lines inside are kept (Hugging Face errors have
 * them); blank lines at either end are dropped. A message that starts with a `"""` line is read to the closing one.
 */
export function readExceptionMessage(
  lines: readonly string[],
  start: number,
  firstLine: string,
  baseIndent: number,
): { text: string; end: number } {
  const parts = [firstLine];
  let end = start;
  let characters = firstLine.length;
  let quoted = isBlank(firstLine) && removeIndent(lines[start] ?? '', baseIndent)?.trim() === '"""';
  for (let cursor = start; cursor < lines.length; cursor += 1) {
    if (cursor - start >= MAXIMUM_MESSAGE_LINES || characters >= MAXIMUM_MESSAGE_CHARACTERS) break;
    const text = removeIndent(lines[cursor] ?? '', baseIndent);
    if (text === undefined) break;
    if (!quoted && isMessageBoundary(text)) break;
    if (quoted && text.trim() === '"""' && cursor > start) quoted = false;
    parts.push(text);
    characters += text.length + 1;
    if (!isBlank(text)) end = cursor + 1;
  }
  const kept = parts.slice(0, 1 + end - start).map((part) => part.trimEnd());
  let first = 0;
  while (first < kept.length && kept[first] === '') first += 1;
  return { text: kept.slice(first).join('\n'), end };
}

function isMessageBoundary(text: string): boolean {
  return (
    chainLinkOfSeparator(text) !== undefined ||
    isStandaloneHeader(text) ||
    findTracebackHeader(text)?.kind === 'group' ||
    isNonFatalMarker(text) ||
    text.startsWith('Fatal Python error:') ||
    isLogLine(text)
  );
}

/** The line without `indent` leading spaces; '' for a blank line; undefined when it is indented less. */
function removeIndent(text: string, indent: number): string | undefined {
  if (indent <= 0) return text;
  if (isBlank(text)) return '';
  for (let index = 0; index < indent; index += 1) if (text.charCodeAt(index) !== 32) return undefined;
  return text.slice(indent);
}

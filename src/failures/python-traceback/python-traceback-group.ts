// Exception groups as Python 3.11+ prints them: the group's own traceback behind `| `, then its sub-exceptions
// in numbered sections one level deeper, nested groups deeper again:
//
//   + Exception Group Traceback (most recent call last):
//   |   File "x.py", line 3, in <module>
//   | ExceptionGroup: many (2 sub-exceptions)
//   +-+---------------- 1 ----------------
//     | ValueError: v
//     +---------------- 2 ----------------
//     | Traceback (most recent call last): …
//     +------------------------------------
import type { PythonException } from './python-traceback.js';
import type { ParsedBlock } from './python-traceback-block.js';
import { TRACEBACK_HEADER, type TracebackHeader } from './python-traceback-shapes.js';

/** Parses the text of one section (its `| ` removed): a traceback with its chain, or a bare exception line. */
export type ReadSectionContent = (lines: string[]) => PythonException | undefined;

const OMITTED_EXCEPTIONS = /and (\d+) more exceptions?/;

/**
 * Reads the group whose `+ Exception Group Traceback` header is at `start`: the group's type, message and frames,
 * and its sub-exceptions in `exceptions` (recursively for nested groups), "and N more" in `omittedExceptions`.
 */
export function parseExceptionGroup(
  lines: readonly string[],
  start: number,
  header: TracebackHeader,
  readContent: ReadSectionContent,
): ParsedBlock {
  const next = lines[start + 1] ?? '';
  const firstMark = next.length - next.trimStart().length;
  const column = next[firstMark] === '|' ? firstMark : header.plusColumn;
  return readSection(lines, start + 1, column, [TRACEBACK_HEADER], readContent);
}

function readSection(
  lines: readonly string[],
  start: number,
  column: number,
  content: string[],
  readContent: ReadSectionContent,
): ParsedBlock {
  let cursor = start;
  for (; cursor < lines.length; cursor += 1) {
    const text = contentAt(lines[cursor] ?? '', column);
    if (text === undefined) break;
    content.push(text);
  }
  const exception = readContent(content);
  if (!isSectionOpening(lines[cursor] ?? '', column)) return exception ? { exception, end: cursor } : { end: cursor };
  const subExceptions = readSubExceptions(lines, cursor, column + 2, readContent);
  if (!exception) return { end: subExceptions.end };
  exception.exceptions = subExceptions.exceptions;
  if (subExceptions.omitted > 0) exception.omittedExceptions = subExceptions.omitted;
  return { exception, end: subExceptions.end };
}

/** Sections at `column`, from the `+-+----- 1 -----` line that opens them to the closing `+------` line. */
function readSubExceptions(
  lines: readonly string[],
  start: number,
  column: number,
  readContent: ReadSectionContent,
): { exceptions: PythonException[]; omitted: number; end: number } {
  const exceptions: PythonException[] = [];
  let omitted = 0;
  let cursor = start;
  while (cursor < lines.length) {
    const line = lines[cursor] ?? '';
    const isSeparator = cursor === start ? line.startsWith('+-', column) : isSeparatorAt(line, column);
    if (!isSeparator) break;
    const label = line
      .slice(column + 1)
      .replace(/-/g, '')
      .trim();
    cursor += 1;
    if (label === '') break;
    if (label === '...') {
      const omittedLines: string[] = [];
      let text = contentAt(lines[cursor] ?? '', column);
      while (text !== undefined) {
        omittedLines.push(text);
        cursor += 1;
        text = contentAt(lines[cursor] ?? '', column);
      }
      omitted += Number(OMITTED_EXCEPTIONS.exec(omittedLines.join(' '))?.[1] ?? 0);
      continue;
    }
    const section = readSection(lines, cursor, column, [], readContent);
    if (section.exception) exceptions.push(section.exception);
    cursor = Math.max(section.end, cursor);
  }
  return { exceptions, omitted, end: cursor };
}

/** The text after `| ` when the `|` is at `column` with only spaces before it. */
function contentAt(line: string, column: number): string | undefined {
  if (line[column] !== '|' || !onlySpacesBefore(line, column)) return undefined;
  const after = line[column + 1];
  if (after !== undefined && after !== ' ') return undefined;
  return line.slice(column + 2);
}

function isSectionOpening(line: string, column: number): boolean {
  return onlySpacesBefore(line, column) && line.startsWith('+-+', column);
}

function isSeparatorAt(line: string, column: number): boolean {
  return onlySpacesBefore(line, column) && line.startsWith('+-', column);
}

function onlySpacesBefore(line: string, column: number): boolean {
  if (line.length <= column) return false;
  for (let index = 0; index < column; index += 1) if (line.charCodeAt(index) !== 32) return false;
  return true;
}

// What a single line of Python's error output is: a traceback header, a frame, an exception line, a chain
// separator, or something else printed around it. Every test here is linear in the line's length.
import type { PythonChainLink } from './python-traceback.js';

export const TRACEBACK_HEADER = 'Traceback (most recent call last):';
const GROUP_WORDS = 'Exception Group ';

export interface TracebackHeader {
  /** 'group': the `+ Exception Group Traceback` line that opens a printed exception group. */
  kind: 'plain' | 'group';
  /** What precedes the header on its line (a progress bar, `[rank0]: `, `Original `); for a group, before the `+`. */
  prefix: string;
  /** For a group, the column of its `+`. */
  plusColumn: number;
}

/**
 * A line ending in "Traceback (most recent call last):". `Exception Group Traceback …` without the `+` (as printed
 * inside a group's sub-exception) counts as plain: its sub-exceptions are read by whoever reads the section.
 */
export function findTracebackHeader(line: string): TracebackHeader | undefined {
  const text = line.trimEnd();
  if (!text.endsWith(TRACEBACK_HEADER)) return undefined;
  const before = text.slice(0, text.length - TRACEBACK_HEADER.length);
  if (before.endsWith(GROUP_WORDS)) {
    const beforeGroup = before.slice(0, before.length - GROUP_WORDS.length);
    if (beforeGroup.endsWith('+ ')) {
      const plusColumn = beforeGroup.length - 2;
      return { kind: 'group', prefix: beforeGroup.slice(0, plusColumn), plusColumn };
    }
    return { kind: 'plain', prefix: beforeGroup, plusColumn: -1 };
  }
  return { kind: 'plain', prefix: before, plusColumn: -1 };
}

/** A header that starts its line (after spaces or a progress bar): one that can end a message. */
export function isStandaloneHeader(line: string): boolean {
  const header = findTracebackHeader(line);
  if (!header) return false;
  const prefix = header.prefix.trim();
  return prefix === '' || isProgressLine(prefix);
}

export interface FrameLine {
  indent: number;
  file: string;
  line: number;
  /** Undefined on the location line of a SyntaxError (`File "x.py", line 3`). */
  function?: string;
}

/**
 * `  File "path", line 12, in name` or, for a SyntaxError, `  File "path", line 12`. Faulthandler's
 * `  File "path", line 12 in name` does not match.
 */
export function parseFrameLine(text: string): FrameLine | undefined {
  let indent = 0;
  while (text.charCodeAt(indent) === 32) indent += 1;
  if (!text.startsWith('File "', indent)) return undefined;
  const fileStart = indent + 6;
  const fileEnd = text.indexOf('", line ', fileStart);
  if (fileEnd < 0) return undefined;
  let position = fileEnd + 8;
  const digitsStart = position;
  while (isDigit(text.charCodeAt(position))) position += 1;
  if (position === digitsStart) return undefined;
  const frame = { indent, file: text.slice(fileStart, fileEnd), line: Number(text.slice(digitsStart, position)) };
  const rest = text.slice(position);
  if (rest.trim() === '') return frame;
  if (rest.startsWith(', in ')) return { ...frame, function: rest.slice(5).trim() };
  return undefined;
}

/** `    ~~~~~~^^^^^` under a code line: Python 3.11+ fine-grained error locations. */
export function isLocationMarkerLine(text: string): boolean {
  let marks = 0;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === '^' || character === '~') marks += 1;
    else if (character !== ' ') return false;
  }
  return marks > 0;
}

export function isRepeatedFramesLine(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith('[Previous line repeated ') || trimmed.startsWith('[Previous frame repeated ');
}

const EXCEPTION_LINE = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?::(?: (.*))?)?$/;

/** `Type: message`, `Type:` or `Type` alone, the type a dotted Python name. */
export function parseExceptionLine(text: string): { type: string; message: string } | undefined {
  const match = EXCEPTION_LINE.exec(text.trimEnd());
  if (!match?.[1]) return undefined;
  return { type: match[1], message: match[2] ?? '' };
}

const EXCEPTION_NAME_ENDING = /(?:Error|Exception|Exit|Interrupt|Warning|Traceback|Failure|Iteration|Timeout|Group)$/;

/** For exceptions printed without a traceback, where a name alone has to tell an exception from other text. */
export function looksLikeExceptionType(type: string): boolean {
  const lastName = type.slice(type.lastIndexOf('.') + 1);
  return EXCEPTION_NAME_ENDING.test(lastName);
}

export function chainLinkOfSeparator(line: string): PythonChainLink | undefined {
  const text = line.trim();
  if (text === 'The above exception was the direct cause of the following exception:') return 'cause';
  if (text === 'During handling of the above exception, another exception occurred:') return 'context';
  return undefined;
}

/** Printed before a traceback of an exception that did not end the process. */
const NON_FATAL_MARKERS = [
  'Exception ignored in',
  'Exception ignored on',
  'Exception ignored while',
  'Error in atexit._run_exitfuncs',
  'Exception in thread ',
  'Exception in callback ',
  'Task exception was never retrieved',
  '--- Logging error ---',
];

export function isNonFatalMarker(line: string): boolean {
  return NON_FATAL_MARKERS.some((marker) => line.includes(marker));
}

/** tqdm and similar: `45%|████▌     |`, `[00:03<00:00, 1.62s/it]`, `[00:00, 187734.51 examples/s]`. */
export function isProgressLine(text: string): boolean {
  return text.includes('%|') || text.includes('it/s]') || text.includes('s/it]') || text.includes('/s]');
}

const TIMESTAMP_START = /^\s*\[?\d{4}-\d{2}-\d{2}[ T_]\d{2}:\d{2}/;
const GLOG_START = /^\[?[IWEF]\d{4} \d{2}:\d{2}:\d{2}/;
const LEVEL_START = /^\[?(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\]?[:\s|-]/;
const WARNING_LINE = /^[^\s:][^:]*:\d+: [A-Za-z_]\w{0,80}Warning: /;
const TAGGED_START = /^\[(?:rank|default)\d+\]:/;

/**
 * Output that is not part of an exception message: timestamped or level-prefixed log lines, glog lines
 * (`E0915 10:12:45.881000 …`), `path.py:12: UserWarning: …`, wandb, progress bars, per-rank tagged lines,
 * metrics printed as one JSON object or dict per line.
 */
export function isLogLine(text: string): boolean {
  if (text.startsWith('wandb:') || isProgressLine(text)) return true;
  if (text.startsWith('{') && text.trimEnd().endsWith('}')) return true;
  const start = text.length > 1000 ? text.slice(0, 1000) : text;
  return (
    TIMESTAMP_START.test(start) ||
    GLOG_START.test(start) ||
    LEVEL_START.test(start) ||
    TAGGED_START.test(start) ||
    (start.includes('Warning: ') && WARNING_LINE.test(start))
  );
}

export function isBlank(text: string): boolean {
  return text.trim() === '';
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

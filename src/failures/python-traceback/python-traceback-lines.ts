// Turns captured terminal output into the lines a person would have seen, and splits output whose lines carry a
// per-process tag (`[rank0]: `) into one stream per tag.
import { findTracebackHeader, parseFrameLine } from './python-traceback-shapes.js';

/** CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-character escapes. */
const ANSI_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/** Tags are looked for only this far below a tagged traceback header, and at most this many are kept. */
const TAG_SEARCH_LINES = 8;
const MAXIMUM_TAGS = 64;

/** The last `tailCharacters` of the output as cleaned lines; a line cut by the limit is dropped. */
export function readTerminalLines(text: string, tailCharacters: number): string[] {
  let tail = text;
  if (text.length > tailCharacters) {
    const start = text.length - Math.max(0, tailCharacters);
    tail = text.slice(start);
    if (text[start - 1] !== '\n') {
      const newline = tail.indexOf('\n');
      tail = newline >= 0 ? tail.slice(newline + 1) : '';
    }
  }
  return tail.split('\n').map(cleanTerminalLine);
}

/** Removes ANSI escape sequences and keeps what is left visible after carriage returns: the last redraw. */
export function cleanTerminalLine(line: string): string {
  let text = line.includes('\x1b') ? line.replace(ANSI_SEQUENCE, '') : line;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 13) end -= 1;
  if (end < text.length) text = text.slice(0, end);
  const carriageReturn = text.lastIndexOf('\r');
  return carriageReturn >= 0 ? text.slice(carriageReturn + 1) : text;
}

export interface OutputStream {
  /** The tag removed from every line of this stream; undefined for the lines that carry none. */
  tag?: string;
  lines: string[];
  /** For each line, its index in the lines the streams were split from. */
  origins: number[];
}

/**
 * One stream per line tag plus one for untagged lines. A tag is what a traceback header and a following line
 * share at their start, cut after its last `:`, `]`, `)` or `>` (and one space): `[rank0]: `, `[default3]:`,
 * `[1,0]<stderr>:`, `(RayTrainWorker pid=812) `. Without tags, the single stream is the lines themselves.
 */
export function splitTaggedStreams(lines: readonly string[]): OutputStream[] {
  const tags = findLineTags(lines);
  if (tags.length === 0) return [{ lines: [...lines], origins: lines.map((_, index) => index) }];
  tags.sort((left, right) => right.length - left.length);
  const untagged: OutputStream = { lines: [], origins: [] };
  const byTag = new Map<string, OutputStream>(tags.map((tag) => [tag, { tag, lines: [], origins: [] }]));
  lines.forEach((line, index) => {
    const tag = tags.find((candidate) => line.startsWith(candidate));
    const stream = tag === undefined ? untagged : byTag.get(tag);
    if (!stream) return;
    stream.lines.push(tag === undefined ? line : line.slice(tag.length));
    stream.origins.push(index);
  });
  return [untagged, ...byTag.values()];
}

function findLineTags(lines: readonly string[]): string[] {
  const tags = new Set<string>();
  for (let index = 0; index < lines.length && tags.size < MAXIMUM_TAGS; index += 1) {
    const line = lines[index] ?? '';
    const prefix = tracebackStartPrefix(line);
    if (prefix === undefined || prefix.trim() === '') continue;
    for (let offset = 1; offset <= TAG_SEARCH_LINES && index + offset < lines.length; offset += 1) {
      const tag = sharedTag(line, lines[index + offset] ?? '', prefix.length);
      if (tag) {
        tags.add(tag);
        break;
      }
    }
  }
  return [...tags];
}

/** What precedes a traceback header, or the `  File "x.py", line 3` line that opens a SyntaxError report. */
function tracebackStartPrefix(line: string): string | undefined {
  const header = findTracebackHeader(line);
  if (header) return header.prefix;
  const location = line.indexOf('  File "');
  if (location <= 0) return undefined;
  const frame = parseFrameLine(line.slice(location));
  return frame && frame.function === undefined ? line.slice(0, location) : undefined;
}

function sharedTag(header: string, other: string, limit: number): string | undefined {
  let shared = 0;
  while (shared < limit && shared < other.length && header.charCodeAt(shared) === other.charCodeAt(shared)) shared += 1;
  let cut = -1;
  for (let index = shared - 1; index >= 0 && cut < 0; index -= 1) {
    if (':])>'.includes(header[index] ?? '')) cut = index;
  }
  if (cut < 0) return undefined;
  let tag = header.slice(0, cut + 1);
  if (cut + 1 < shared && header[cut + 1] === ' ') tag += ' ';
  return tag.trim() === '' ? undefined : tag;
}

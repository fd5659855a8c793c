import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const NEWLINE = 0x0a;
const MAX_REASON_LENGTH = 160;

/**
 * Lines of a file, read in chunks (never whole): every newline ends a line, and text after the last newline
 * is one more line. Empty lines count; an empty file has 0 lines.
 */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let lastByte = NEWLINE;
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    for (let index = buffer.indexOf(NEWLINE); index !== -1; index = buffer.indexOf(NEWLINE, index + 1)) lines += 1;
    if (buffer.length > 0) lastByte = buffer[buffer.length - 1] ?? NEWLINE;
  }
  return lastByte === NEWLINE ? lines : lines + 1;
}

/** The records of a JSONL file up to its first line that is not JSON, if any. */
export interface JsonlCount {
  records: number;
  /** The first non-empty line that does not parse (1-based), and why. Counting stopped there. */
  brokenLine?: { line: number; reason: string };
}

/**
 * Counts the records of a JSONL file, streaming: each non-empty line must be one JSON value. Stops at the
 * first line that does not parse. Memory stays at one line plus one chunk.
 */
export async function countJsonlRecords(file: string): Promise<JsonlCount> {
  const stream = createReadStream(file);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineNumber = 0;
  let records = 0;
  const take = (line: string): JsonlCount['brokenLine'] => {
    lineNumber += 1;
    const text = line.trim();
    if (text === '') return undefined;
    try {
      JSON.parse(text);
      records += 1;
      return undefined;
    } catch (error) {
      return { line: lineNumber, reason: shorten((error as Error).message) };
    }
  };
  try {
    for await (const chunk of stream) {
      pending += decoder.write(chunk as Buffer);
      let start = 0;
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
        const brokenLine = take(pending.slice(start, newline));
        if (brokenLine) return { records, brokenLine };
        start = newline + 1;
      }
      pending = pending.slice(start);
    }
    pending += decoder.end();
    const brokenLine = pending === '' ? undefined : take(pending);
    return brokenLine ? { records, brokenLine } : { records };
  } finally {
    stream.destroy();
  }
}

function shorten(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH - 1)}…` : line;
}

import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Most bytes read from the log in one step: a trainer that printed gigabytes is read in slices. */
const MAX_READ_BYTES = 1024 * 1024;

/** A complete line of the log and the byte offset where it starts. */
export interface LogLine {
  offset: number;
  text: string;
}

/**
 * Reads a growing log file line by line from a byte cursor, without holding it in memory: each call returns the
 * complete lines written since the last one. A line not finished yet is left for the next call, unless `final`
 * (the writer has ended). Lines longer than a slice are returned cut; their offsets stay right.
 */
export class LogLineReader {
  #cursor: number;

  constructor(
    readonly file: string,
    cursor: number,
  ) {
    this.#cursor = cursor;
  }

  /** Byte offset of the first byte not read yet. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The complete lines between the cursor and the end of the file (at most one slice), advancing the cursor. */
  readLines(final: boolean): { lines: LogLine[]; more: boolean } {
    const size = fileSize(this.file);
    if (size <= this.#cursor) return { lines: [], more: false };
    const length = Math.min(size - this.#cursor, MAX_READ_BYTES);
    const bytes = readBytes(this.file, this.#cursor, length);
    const more = this.#cursor + bytes.length < size;
    let end = bytes.lastIndexOf(0x0a) + 1;
    // No newline in a whole slice: one huge line, returned cut. At the end of a finished log: the last line.
    if (end === 0 && (more || final)) end = bytes.length;
    else if (final && !more) end = bytes.length;
    const lines: LogLine[] = [];
    let start = 0;
    while (start < end) {
      const newline = bytes.indexOf(0x0a, start);
      const stop = newline === -1 || newline >= end ? end : newline + 1;
      lines.push({
        offset: this.#cursor + start,
        text: bytes
          .subarray(start, stop)
          .toString('utf8')
          .replace(/\r?\n$/, ''),
      });
      start = stop;
    }
    this.#cursor += end;
    return { lines, more };
  }
}

/** Bytes [from, to) of the log as text (what a file that cannot be read gives: ''). */
export function readLogRange(file: string, from: number, to: number): string {
  if (to <= from) return '';
  try {
    return readBytes(file, from, to - from).toString('utf8');
  } catch {
    return '';
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readBytes(file: string, from: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const descriptor = openSync(file, 'r');
  try {
    let read = 0;
    while (read < length) {
      const count = readSync(descriptor, buffer, read, length - read, from + read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(descriptor);
  }
}

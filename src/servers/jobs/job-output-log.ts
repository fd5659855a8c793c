import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeError, MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { decodeWholeCharacters, incompleteUtf8SuffixLength } from './utf8-boundaries.js';

/** New output from a cursor on, as `wait_job` returns it. */
export interface OutputSlice {
  /** Decoded text; when the output was longer than the limit, its head and tail around a marker. */
  text: string;
  /** Byte offset in the output where the text starts: the cursor asked for. */
  from: number;
  /** Byte offset right after the text: the next cursor. */
  to: number;
  /** Bytes in the middle that were left out (0 when the whole new output is in `text`). */
  cutBytes: number;
}

/**
 * The output of one job: `<directory>/<jobId>.output.log`, which the job's program writes itself — its stdout
 * and stderr are that file, opened with O_APPEND, so lines land in the order they were written, nothing passes
 * through mux-swarm, and the job keeps writing when mux-swarm dies. Everything is read back from the file:
 * sizes, output from a cursor, the last lines; memory holds none of it.
 */
export class JobOutputLog {
  /** stdout and stderr interleaved as written; cursors are byte offsets into it. */
  readonly file: string;
  readonly #jobId: string;
  #lastKnownSize = 0;

  constructor(jobId: string, file: string) {
    this.#jobId = jobId;
    this.file = file;
  }

  /** `<directory>/<jobId>.output.log`. */
  static pathFor(directory: string, jobId: string): string {
    return path.join(directory, `${jobId}.output.log`);
  }

  /**
   * Creates the log of a new job and opens it for appending, for the job's stdout and stderr; undefined when it
   * already exists (another server writing to the same directory took that id). Throws when it cannot be made.
   */
  static tryCreate(directory: string, jobId: string): { log: JobOutputLog; descriptor: number } | undefined {
    const file = JobOutputLog.pathFor(directory, jobId);
    try {
      mkdirSync(directory, { recursive: true });
      const descriptor = openSync(file, 'ax');
      return { log: new JobOutputLog(jobId, file), descriptor };
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return undefined;
      throw new MuxSwarmError(
        'job-log-create-failed',
        `Could not create the log file of job ${jobId} in ${directory} (${describeError(error)}); the job was not started. ` +
          'Check that the run directory is writable and the disk is not full.',
      );
    }
  }

  /** Bytes written so far (the last size seen when the file cannot be read any more). */
  size(): number {
    try {
      this.#lastKnownSize = statSync(this.file).size;
    } catch {
      // deleted or unreadable: keep what was seen
    }
    return this.#lastKnownSize;
  }

  /**
   * The output from byte `cursor` on, at most about `maxBytes` of it (head and tail around a marker beyond that).
   * While the job runs (`final` false), a character not complete yet is left for the next read.
   */
  read(cursor: number, maxBytes: number, final: boolean): OutputSlice {
    this.checkCursor(cursor);
    const end = this.size();
    const to = final ? end : end - incompleteUtf8SuffixLength(this.#bytes(Math.max(cursor, end - 3), end));
    if (to - cursor <= maxBytes) {
      return { text: decodeWholeCharacters(this.#bytes(cursor, to)), from: cursor, to, cutBytes: 0 };
    }
    const headBytes = Math.floor(maxBytes / 2);
    const tailBytes = maxBytes - headBytes;
    const cutFrom = cursor + headBytes;
    const cutTo = to - tailBytes;
    const marker =
      `\n[… ${cutTo - cutFrom} bytes of output cut: bytes ${cutFrom}–${cutTo} of ${this.file} ` +
      '(read them with sed, grep or tail) …]\n';
    const text =
      decodeWholeCharacters(this.#bytes(cursor, cutFrom)) + marker + decodeWholeCharacters(this.#bytes(cutTo, to));
    return { text, from: cursor, to, cutBytes: cutTo - cutFrom };
  }

  /** Throws when `cursor` lies past the output written so far. */
  checkCursor(cursor: number): void {
    const size = this.size();
    if (cursor <= size) return;
    throw new MuxSwarmError(
      'job-cursor-past-end',
      `Cursor ${cursor} is past the end of job ${this.#jobId}'s output (${size} bytes so far); ` +
        'pass the next_cursor of the previous result, or 0 to read from the start.',
    );
  }

  /** About the last `maxChars` characters of the output, starting at a line when cut; a note if unreadable. */
  tailText(maxChars: number): string {
    const size = this.size();
    const from = Math.max(0, size - maxChars * 4); // a character is at most 4 bytes
    let text: string;
    try {
      text = decodeWholeCharacters(this.#bytes(from, size));
    } catch (error) {
      return `[${describeError(error)}]\n`;
    }
    if (from === 0 && text.length <= maxChars) return text;
    const tail = text.length <= maxChars ? text : text.slice(text.length - maxChars);
    const firstLineEnd = tail.indexOf('\n');
    return firstLineEnd === -1 || firstLineEnd === tail.length - 1 ? tail : tail.slice(firstLineEnd + 1);
  }

  /** The last `maxBytes` of the output as text (e.g. to find a traceback); empty when the file cannot be read. */
  lastBytesText(maxBytes: number): string {
    const size = this.size();
    try {
      return decodeWholeCharacters(this.#bytes(Math.max(0, size - maxBytes), size));
    } catch {
      return '';
    }
  }

  /** Deletes the log file, for a job that never started. */
  remove(): void {
    rmSync(this.file, { force: true });
  }

  /** Bytes [from, to) of the output, read from the file. */
  #bytes(from: number, to: number): Buffer {
    if (to <= from) return Buffer.alloc(0);
    const buffer = Buffer.alloc(to - from);
    let descriptor: number | undefined;
    try {
      descriptor = openSync(this.file, 'r');
      let read = 0;
      while (read < buffer.length) {
        const count = readSync(descriptor, buffer, read, buffer.length - read, from + read);
        if (count === 0) break;
        read += count;
      }
      return buffer.subarray(0, read);
    } catch (error) {
      throw new MuxSwarmError(
        'job-log-unreadable',
        `Output of job ${this.#jobId} could not be read from ${this.file} (${describeError(error)}); ` +
          'check that the file still exists and is readable.',
      );
    } finally {
      if (descriptor !== undefined) closeSync(descriptor);
    }
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

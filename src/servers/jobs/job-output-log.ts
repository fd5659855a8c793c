import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { decodeWholeCharacters, incompleteUtf8SuffixLength } from './utf8-boundaries.js';

export type JobStreamName = 'stdout' | 'stderr';
type LogName = 'output' | JobStreamName;

export interface JobLogPaths {
  /** stdout and stderr interleaved in arrival order, as a terminal shows them; cursors are byte offsets into it. */
  output: string;
  stdout: string;
  stderr: string;
}

export type JobOutputSizes = Record<LogName, number>;

/** New output from a cursor on, as `wait_job` returns it. */
export interface OutputSlice {
  /** Decoded text; when the output was longer than the limit, its head and tail around a marker. */
  text: string;
  /** Byte offset in the combined output where the text starts: the cursor asked for. */
  from: number;
  /** Byte offset right after the text: the next cursor. */
  to: number;
  /** Bytes in the middle that were left out (0 when the whole new output is in `text`). */
  cutBytes: number;
}

/** Stderr kept in memory by default for reading an error report (a traceback) at the end of a job. */
export const DEFAULT_STDERR_TAIL_BYTES = 64 * 1024;

export interface JobOutputLogLimits {
  /** Bytes of the combined output kept in memory. */
  tailBytes: number;
  /** Bytes of stderr kept in memory; default 64 KiB. */
  stderrTailBytes?: number;
}

/**
 * The output of one job: every byte goes to three log files (combined, stdout, stderr), written synchronously
 * as it arrives so a reader always finds what the sizes say; memory holds only the last `tailBytes` of the
 * combined output and the last `stderrTailBytes` of stderr. Reading from a cursor takes the memory tail when it covers the
 * range, the combined log file otherwise.
 */
export class JobOutputLog {
  readonly paths: JobLogPaths;
  /** Called after every append, e.g. to wake callers waiting for output. */
  onAppend: (() => void) | undefined;
  readonly #jobId: string;
  readonly #tailBytes: number;
  readonly #stderrTailBytes: number;
  readonly #descriptors: Partial<Record<LogName, number>>;
  readonly #sizes: JobOutputSizes = { output: 0, stdout: 0, stderr: 0 };
  #combinedTail: Buffer = Buffer.alloc(0);
  #stderrTail: Buffer = Buffer.alloc(0);
  #writeError: string | undefined;

  private constructor(jobId: string, paths: JobLogPaths, descriptors: Record<LogName, number>, limits: JobOutputLogLimits) {
    this.#jobId = jobId;
    this.paths = paths;
    this.#descriptors = descriptors;
    this.#tailBytes = limits.tailBytes;
    this.#stderrTailBytes = limits.stderrTailBytes ?? DEFAULT_STDERR_TAIL_BYTES;
  }

  /**
   * Creates `<directory>/<jobId>.output.log`, `.stdout.log` and `.stderr.log`; undefined when the combined log
   * already exists (another server writing to the same directory took that id). Throws when they cannot be made.
   */
  static tryCreate(directory: string, jobId: string, limits: JobOutputLogLimits): JobOutputLog | undefined {
    const paths: JobLogPaths = {
      output: path.join(directory, `${jobId}.output.log`),
      stdout: path.join(directory, `${jobId}.stdout.log`),
      stderr: path.join(directory, `${jobId}.stderr.log`),
    };
    const opened: number[] = [];
    try {
      mkdirSync(directory, { recursive: true });
      const output = openSync(paths.output, 'wx');
      opened.push(output);
      const stdout = openSync(paths.stdout, 'w');
      opened.push(stdout);
      const stderr = openSync(paths.stderr, 'w');
      return new JobOutputLog(jobId, paths, { output, stdout, stderr }, limits);
    } catch (error) {
      for (const descriptor of opened) closeSync(descriptor);
      if (opened.length === 0 && errorCode(error) === 'EEXIST') return undefined;
      throw new MuxSwarmError(
        'job-log-create-failed',
        `Could not create the log files of job ${jobId} in ${directory} (${String(error)}); the job was not started. ` +
          'Check that the run directory is writable and the disk is not full.',
      );
    }
  }

  append(stream: JobStreamName, chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#write('output', chunk);
    this.#write(stream, chunk);
    this.#sizes.output += chunk.length;
    this.#sizes[stream] += chunk.length;
    this.#combinedTail = keepLastBytes(this.#combinedTail, chunk, this.#tailBytes);
    if (stream === 'stderr') this.#stderrTail = keepLastBytes(this.#stderrTail, chunk, this.#stderrTailBytes);
    this.onAppend?.();
  }

  /** Bytes logged so far. */
  sizes(): JobOutputSizes {
    return { ...this.#sizes };
  }

  /** Why the log files are incomplete, if a write failed (the job still runs; memory keeps the tails). */
  writeError(): string | undefined {
    return this.#writeError;
  }

  /**
   * The output from byte `cursor` on, at most about `maxBytes` of it (head and tail around a marker beyond that).
   * While the job runs (`final` false), a character not complete yet is left for the next read.
   */
  read(cursor: number, maxBytes: number, final: boolean): OutputSlice {
    this.checkCursor(cursor);
    const end = this.#sizes.output;
    const to = final ? end : end - incompleteUtf8SuffixLength(this.#bytes(Math.max(cursor, end - 3), end));
    if (to - cursor <= maxBytes) {
      return { text: decodeWholeCharacters(this.#bytes(cursor, to)), from: cursor, to, cutBytes: 0 };
    }
    const headBytes = Math.floor(maxBytes / 2);
    const tailBytes = maxBytes - headBytes;
    const cutFrom = cursor + headBytes;
    const cutTo = to - tailBytes;
    const marker =
      `\n[… ${cutTo - cutFrom} bytes of output cut: bytes ${cutFrom}–${cutTo} of ${this.paths.output} ` +
      '(read them with sed, grep or tail) …]\n';
    const text = decodeWholeCharacters(this.#bytes(cursor, cutFrom)) + marker + decodeWholeCharacters(this.#bytes(cutTo, to));
    return { text, from: cursor, to, cutBytes: cutTo - cutFrom };
  }

  /** Throws when `cursor` lies past the output logged so far. */
  checkCursor(cursor: number): void {
    if (cursor <= this.#sizes.output) return;
    throw new MuxSwarmError(
      'job-cursor-past-end',
      `Cursor ${cursor} is past the end of job ${this.#jobId}'s output (${this.#sizes.output} bytes so far); ` +
        'pass the next_cursor of the previous result, or 0 to read from the start.',
    );
  }

  /** About the last `maxChars` characters of the combined output (from memory), starting at a line when cut. */
  tailText(maxChars: number): string {
    const text = decodeWholeCharacters(this.#combinedTail);
    if (text.length <= maxChars && this.#combinedTail.length === this.#sizes.output) return text;
    const tail = lastChars(text, maxChars);
    const firstLineEnd = tail.indexOf('\n');
    return firstLineEnd === -1 || firstLineEnd === tail.length - 1 ? tail : tail.slice(firstLineEnd + 1);
  }

  /** The end of stderr kept in memory, e.g. to find a traceback. */
  stderrTailText(): string {
    return decodeWholeCharacters(this.#stderrTail);
  }

  /** Closes the log files; reading stays possible. Call once the job's pipes have closed. */
  finish(): void {
    for (const name of ['output', 'stdout', 'stderr'] as const) this.#close(name);
  }

  /** Closes and deletes the log files, for a job that never started. */
  remove(): void {
    this.finish();
    for (const file of Object.values(this.paths)) rmSync(file, { force: true });
  }

  #write(name: LogName, chunk: Buffer): void {
    const descriptor = this.#descriptors[name];
    if (descriptor === undefined) return;
    try {
      let written = 0;
      while (written < chunk.length) written += writeSync(descriptor, chunk, written, chunk.length - written);
    } catch (error) {
      this.#writeError ??= `writing ${this.paths[name]} failed (${String(error)}); later output is only kept as a tail in memory`;
      this.#close(name);
    }
  }

  #close(name: LogName): void {
    const descriptor = this.#descriptors[name];
    if (descriptor === undefined) return;
    delete this.#descriptors[name];
    try {
      closeSync(descriptor);
    } catch {
      // already unusable; nothing more to do
    }
  }

  /** Bytes [from, to) of the combined output: from memory when the tail covers them, else from the log file. */
  #bytes(from: number, to: number): Buffer {
    if (to <= from) return Buffer.alloc(0);
    const tailStart = this.#sizes.output - this.#combinedTail.length;
    if (from >= tailStart) return this.#combinedTail.subarray(from - tailStart, to - tailStart);
    return this.#readLogFile(from, to, tailStart);
  }

  #readLogFile(from: number, to: number, tailStart: number): Buffer {
    const buffer = Buffer.alloc(to - from);
    let descriptor: number | undefined;
    try {
      descriptor = openSync(this.paths.output, 'r');
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
        `Output of job ${this.#jobId} before byte ${tailStart} could not be read from ${this.paths.output} ` +
          `(${String(error)}); only later output is kept in memory: pass a cursor of at least ${tailStart}.`,
      );
    } finally {
      if (descriptor !== undefined) closeSync(descriptor);
    }
  }
}

/** The last `limit` bytes of `kept` + `chunk`, copied so that large chunks are not retained. */
function keepLastBytes(kept: Buffer, chunk: Buffer, limit: number): Buffer {
  if (chunk.length >= limit) return Buffer.from(chunk.subarray(chunk.length - limit));
  const keepFromOld = Math.min(kept.length, limit - chunk.length);
  return Buffer.concat([kept.subarray(kept.length - keepFromOld), chunk]);
}

function lastChars(text: string, count: number): string {
  return text.length <= count ? text : text.slice(text.length - count);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ScrubbingStream, SecretScrubber } from '../../logging/secret-scrubber.js';

export type OutputStreamName = 'stdout' | 'stderr';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  /** True when stdout + stderr exceeded the limit and middles were cut. */
  truncated: boolean;
  /** Full stdout and stderr, written only when truncated. */
  stdoutFile?: string;
  stderrFile?: string;
  /** Why the full output could not be saved, if it could not. */
  spillError?: string;
}

/** Head, tail and size of one stream; the full text goes to a spill file once the limit is passed. */
class StreamRecord {
  readonly decoder = new StringDecoder('utf8');
  /** Scrubs the decoded text before it is kept or spilled; undefined without a scrubber. */
  scrubbing: ScrubbingStream | undefined;
  head = '';
  /** Text after the head, at most `keepChars` of its end. */
  tail = '';
  totalChars = 0;
  spill: WriteStream | undefined;
  spillPath: string | undefined;

  constructor(private readonly keepChars: number) {}

  append(text: string): void {
    this.totalChars += text.length;
    this.spill?.write(text);
    let rest = text;
    if (this.head.length < this.keepChars) {
      const room = this.keepChars - this.head.length;
      this.head += rest.slice(0, room);
      rest = rest.slice(room);
    }
    if (rest.length > 0) this.tail = (this.tail + rest).slice(-this.keepChars);
  }

  /** Everything seen so far; exact only before any text was dropped (total ≤ 2 × keepChars). */
  whole(): string {
    return this.head + this.tail;
  }

  firstChars(count: number): string {
    return this.head.slice(0, count);
  }

  lastChars(count: number): string {
    if (count === 0) return '';
    return this.tail.length >= count ? this.tail.slice(-count) : this.whole().slice(-count);
  }
}

/**
 * Collects a command's stdout and stderr within `maxChars` combined. Memory stays bounded whatever the command
 * prints: past the limit, both streams are written in full to files under `spillDir` and only a head and a
 * tail of each are kept. With a `scrubber`, the process's secrets are replaced as the output arrives (a secret
 * split between two chunks included), before anything is kept or written: neither the spill files nor the head
 * and tail hold one, and no cut can leave part of one.
 */
export class OutputCapture {
  readonly #maxChars: number;
  readonly #spillDir: string;
  readonly #namePrefix: string;
  readonly #streams: Record<OutputStreamName, StreamRecord>;
  #spilling = false;
  #spillError: string | undefined;

  /** `namePrefix` starts the spill files' names (default "shell"): `<prefix>-<time>-<random>.stdout.txt`. */
  constructor(options: { maxChars: number; spillDir: string; namePrefix?: string; scrubber?: SecretScrubber }) {
    this.#maxChars = options.maxChars;
    this.#spillDir = options.spillDir;
    this.#namePrefix = options.namePrefix ?? 'shell';
    this.#streams = { stdout: new StreamRecord(options.maxChars), stderr: new StreamRecord(options.maxChars) };
    if (options.scrubber !== undefined && options.scrubber.size > 0) {
      for (const record of Object.values(this.#streams)) record.scrubbing = options.scrubber.stream();
    }
  }

  append(name: OutputStreamName, chunk: Buffer): void {
    const record = this.#streams[name];
    const text = record.decoder.write(chunk);
    this.#appendText(name, record.scrubbing === undefined ? text : record.scrubbing.push(text));
  }

  /** Flushes decoders and spill files; call once, after both streams ended. */
  async finish(): Promise<CapturedOutput> {
    for (const name of ['stdout', 'stderr'] as const) {
      const record = this.#streams[name];
      const rest = record.decoder.end();
      this.#appendText(
        name,
        record.scrubbing === undefined ? rest : record.scrubbing.push(rest) + record.scrubbing.end(),
      );
    }
    await Promise.all(Object.values(this.#streams).map((record) => closeSpill(record.spill)));

    const { stdout, stderr } = this.#streams;
    if (stdout.totalChars + stderr.totalChars <= this.#maxChars) {
      return { stdout: stdout.whole(), stderr: stderr.whole(), truncated: false };
    }
    // Each stream gets half the limit; a stream that needs less leaves the rest to the other.
    const half = Math.floor(this.#maxChars / 2);
    const stdoutBudget = Math.min(stdout.totalChars, this.#maxChars - Math.min(stderr.totalChars, half));
    const stderrBudget = Math.min(stderr.totalChars, this.#maxChars - stdoutBudget);
    const output: CapturedOutput = {
      stdout: shorten(stdout, stdoutBudget, 'stdout'),
      stderr: shorten(stderr, stderrBudget, 'stderr'),
      truncated: true,
    };
    if (this.#spillError !== undefined) {
      output.spillError = this.#spillError;
    } else {
      if (stdout.spillPath !== undefined) output.stdoutFile = stdout.spillPath;
      if (stderr.spillPath !== undefined) output.stderrFile = stderr.spillPath;
    }
    return output;
  }

  #appendText(name: OutputStreamName, text: string): void {
    if (text.length === 0) return;
    const { stdout, stderr } = this.#streams;
    if (!this.#spilling && stdout.totalChars + stderr.totalChars + text.length > this.#maxChars) {
      this.#startSpilling(); // both records still hold everything seen so far
    }
    this.#streams[name].append(text);
  }

  #startSpilling(): void {
    this.#spilling = true;
    try {
      mkdirSync(this.#spillDir, { recursive: true });
    } catch (error) {
      this.#spillError = `could not create ${this.#spillDir}: ${String(error)}`;
      return;
    }
    const stem = `${this.#namePrefix}-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
    for (const name of ['stdout', 'stderr'] as const) {
      const record = this.#streams[name];
      record.spillPath = path.resolve(this.#spillDir, `${stem}.${name}.txt`);
      record.spill = createWriteStream(record.spillPath);
      record.spill.on('error', (error) => {
        this.#spillError ??= `could not write ${record.spillPath}: ${error.message}`;
      });
      record.spill.write(record.whole());
    }
  }
}

function shorten(record: StreamRecord, budget: number, name: OutputStreamName): string {
  if (record.totalChars <= budget) return record.whole();
  const headChars = Math.floor(budget / 2);
  const tailChars = budget - headChars;
  const cut = record.totalChars - headChars - tailChars;
  const where = record.spillPath === undefined ? '' : `; full ${name} in ${record.spillPath}`;
  const marker = `\n[… ${cut} of ${record.totalChars} characters of ${name} cut${where} …]\n`;
  return record.firstChars(headChars) + marker + record.lastChars(tailChars);
}

function closeSpill(spill: WriteStream | undefined): Promise<void> {
  if (spill === undefined || spill.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    spill.once('close', () => resolve());
    spill.once('error', () => resolve());
    spill.end();
  });
}

import type { Writable } from 'node:stream';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';

/** How long send_job_input waits for the pipe to take the text before saying the job is not reading. */
const INPUT_FLUSH_WAIT_MS = 2_000;

/**
 * A job's standard input: a pipe from this mux-swarm process, kept open for send_job_input until it is closed
 * or the job ends. A re-attached job has none: the pipe belonged to the process that started it.
 */
export class JobInput {
  readonly #jobId: string;
  readonly #stdin: Writable | null;
  #open: boolean;

  constructor(jobId: string, stdin: Writable | null) {
    this.#jobId = jobId;
    this.#stdin = stdin;
    this.#open = stdin !== null;
    stdin?.on('error', () => {
      this.#open = false; // EPIPE: the job closed its end; send_job_input says so
    });
  }

  /** This process holds the job's stdin (false for a re-attached job). */
  get attached(): boolean {
    return this.#stdin !== null;
  }

  get open(): boolean {
    const stdin = this.#stdin;
    return this.#open && stdin !== null && !stdin.writableEnded && !stdin.destroyed;
  }

  /**
   * Writes `text`, then closes the input if asked. `delivered` is false when the pipe did not take the text
   * within two seconds (the job is not reading); it stays queued. Throws when the input is closed;
   * `closedBecause` says why for the message.
   */
  async write(text: string, closeAfter: boolean, closedBecause: string): Promise<{ delivered: boolean }> {
    const stdin = this.#stdin;
    if (stdin === null) {
      throw new MuxSwarmError(
        'job-stdin-detached',
        `Job ${this.#jobId} was started by an earlier mux-swarm process and re-attached after a restart: its standard ` +
          'input was a pipe from that process and is gone, so no input can be sent. If it needs input, stop it with ' +
          'kill_job and start it again.',
      );
    }
    if (!this.open) {
      throw new MuxSwarmError(
        'job-stdin-closed',
        `Job ${this.#jobId}'s standard input is closed (${closedBecause}); no more input can be sent.`,
      );
    }
    let delivered = true;
    if (text.length > 0) {
      delivered = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => resolve(false), INPUT_FLUSH_WAIT_MS);
        stdin.write(text, (error) => {
          clearTimeout(timer);
          if (error) {
            reject(
              new MuxSwarmError(
                'job-stdin-write-failed',
                `Writing to job ${this.#jobId}'s standard input failed: ${error.message} (the job closed its input).`,
              ),
            );
          } else {
            resolve(true);
          }
        });
      });
    }
    if (closeAfter) {
      this.#open = false;
      stdin.end();
    }
    return { delivered };
  }

  /** At the job's end: the pipe is of no more use. */
  destroy(): void {
    this.#open = false;
    this.#stdin?.destroy();
  }
}

import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { isProcessGroupAlive, killProcessGroup, spawnInProcessGroup } from '../../supervisor/process-group.js';
import { waitForStreamsToClose } from '../../supervisor/wait-for-streams.js';
import type { JobOutputLog } from './job-output-log.js';

/** running → exited (ended by itself, maybe by a signal from elsewhere) | killed (kill_job, server closed) | timed_out. */
export type JobState = 'running' | 'exited' | 'killed' | 'timed_out';

/** Grace between SIGTERM and SIGKILL at a job's time limit, when the server closes, and by default for kill_job. */
export const JOB_KILL_GRACE_MS = 2_000;
/** How long to wait for the pipes to close once the group is gone (a process that escaped it may hold them). */
const PIPE_DRAIN_MS = 1_000;
/** How long send_job_input waits for the pipe to take the text before saying the job is not reading. */
const INPUT_FLUSH_WAIT_MS = 2_000;

export interface JobLaunch {
  /** Unique among the jobs of the server; the log files are named after it. */
  id: string;
  name?: string;
  file: string;
  args: readonly string[];
  cwd: string;
  environment: Record<string, string>;
  /** How the job is shown in status and lists: the shell line, the argv, the script and its arguments. */
  commandText: string;
  /** The job is killed (state timed_out) when it still runs after this long. */
  timeLimitMs?: number;
  log: JobOutputLog;
}

/**
 * One background process tree: its program leads a new process group (tracked, so mux-swarm's exit kills it),
 * stdin is a pipe kept open for send_job_input, stdout and stderr go to the job's output log. When the leader
 * exits, processes it left in the group are killed: a job ends as a whole, as a run_command call does.
 */
export class Job {
  readonly id: string;
  readonly name: string | undefined;
  readonly commandText: string;
  readonly pid: number;
  readonly startedAt = new Date();
  readonly timeLimitMs: number | undefined;
  readonly log: JobOutputLog;
  /** Resolves once the job has ended and its output is complete. */
  readonly ended: Promise<void>;
  readonly #stdin: Writable | null;
  readonly #waiters = new Set<() => void>();
  readonly #timeLimit: NodeJS.Timeout | undefined;
  #state: JobState = 'running';
  #exitCode: number | null = null;
  #signal: NodeJS.Signals | null = null;
  #endedAt: Date | undefined;
  #stdinOpen = true;
  #leaderExited = false;
  #backgroundProcessesStopped = false;
  #endReason: 'killed' | 'timed_out' | undefined;
  #killing: Promise<void> | undefined;

  /** Starts the job; rejects with the spawn error (ENOENT, EACCES, …) when the program cannot be started. */
  static async start(launch: JobLaunch): Promise<Job> {
    const child = spawnInProcessGroup(launch.file, launch.args, {
      cwd: launch.cwd,
      env: launch.environment,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      // Node reports a failed spawn by leaving pid unset and emitting 'error' on the next tick.
      throw await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    }
    return new Job(launch, child, child.pid);
  }

  private constructor(launch: JobLaunch, child: ChildProcess, pid: number) {
    this.id = launch.id;
    this.name = launch.name;
    this.commandText = launch.commandText;
    this.pid = pid;
    this.timeLimitMs = launch.timeLimitMs;
    this.log = launch.log;
    this.log.onAppend = () => this.#wake();
    this.#stdin = child.stdin;

    child.stdout?.on('data', (chunk: Buffer) => this.log.append('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.log.append('stderr', chunk));
    child.stdin?.on('error', () => {
      this.#stdinOpen = false; // EPIPE: the job closed its end; send_job_input says so
    });
    child.on('error', () => {
      // After a successful spawn only signal delivery can fail here; the exit status tells the rest.
    });
    if (launch.timeLimitMs !== undefined) {
      this.#timeLimit = setTimeout(() => void this.kill(JOB_KILL_GRACE_MS, 'timed_out'), launch.timeLimitMs);
      this.#timeLimit.unref();
    }
    this.ended = new Promise((resolve) => {
      child.once('exit', (exitCode, signal) => void this.#finish(child, exitCode, signal).then(resolve));
    });
  }

  get state(): JobState {
    return this.#state;
  }

  get running(): boolean {
    return this.#state === 'running';
  }

  get exitCode(): number | null {
    return this.#exitCode;
  }

  get signal(): NodeJS.Signals | null {
    return this.#signal;
  }

  get endedAt(): Date | undefined {
    return this.#endedAt;
  }

  get stdinOpen(): boolean {
    return this.#stdinOpen && this.running;
  }

  /** The leader ended while other processes of its group still ran; they were killed. */
  get backgroundProcessesStopped(): boolean {
    return this.#backgroundProcessesStopped;
  }

  runtimeMs(): number {
    return (this.#endedAt ?? new Date()).getTime() - this.startedAt.getTime();
  }

  /** Resolves at the next output or the end of the job, after `timeoutMs`, or when `signal` aborts. */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted || !this.running) done();
    });
  }

  /**
   * Writes `text` to the job's stdin, then closes it if asked. `delivered` is false when the pipe did not take
   * the text within two seconds (the job is not reading); it stays queued.
   */
  async writeInput(text: string, closeAfter: boolean): Promise<{ delivered: boolean }> {
    const stdin = this.#stdin;
    if (!this.running || !this.#stdinOpen || stdin === null || stdin.writableEnded || stdin.destroyed) {
      const why = this.running ? 'it was closed' : `the job has ${this.#state === 'exited' ? 'exited' : 'been stopped'}`;
      throw new MuxSwarmError('job-stdin-closed', `Job ${this.id}'s standard input is closed (${why}); no more input can be sent.`);
    }
    let delivered = true;
    if (text.length > 0) {
      delivered = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => resolve(false), INPUT_FLUSH_WAIT_MS);
        stdin.write(text, (error) => {
          clearTimeout(timer);
          if (error) {
            reject(new MuxSwarmError('job-stdin-write-failed', `Writing to job ${this.id}'s standard input failed: ${error.message} (the job closed its input).`));
          } else {
            resolve(true);
          }
        });
      });
    }
    if (closeAfter) {
      this.#stdinOpen = false;
      stdin.end();
    }
    return { delivered };
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the job has ended. */
  async kill(graceMs: number, reason: 'killed' | 'timed_out' = 'killed'): Promise<void> {
    if (this.running && !this.#leaderExited) {
      this.#endReason ??= reason;
      this.#killGroup(graceMs);
    }
    await this.ended;
  }

  #killGroup(graceMs: number): void {
    this.#killing ??= killProcessGroup(this.pid, { graceMs }).catch(() => {
      // Processes stuck in uninterruptible I/O stay tracked and get SIGKILL again when mux-swarm exits.
    });
  }

  async #finish(child: ChildProcess, exitCode: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.#leaderExited = true;
    clearTimeout(this.#timeLimit);
    if (this.#killing === undefined && isProcessGroupAlive(this.pid)) {
      this.#backgroundProcessesStopped = true;
      this.#killGroup(JOB_KILL_GRACE_MS);
    }
    await this.#killing;
    await waitForStreamsToClose([child.stdout, child.stderr], PIPE_DRAIN_MS);
    child.stdin?.destroy();
    this.log.finish();
    this.#exitCode = exitCode;
    this.#signal = signal;
    this.#endedAt = new Date();
    this.#state = this.#endReason ?? 'exited';
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

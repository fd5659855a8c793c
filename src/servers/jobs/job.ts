import type { ChildProcess } from 'node:child_process';
import { isProcessGroupAlive, killProcessGroup } from '../../supervisor/process-group.js';
import { exitStatusFromShellCode, readJobExitFile, type JobExitStatus } from './job-exit-status.js';
import { JobInput } from './job-input.js';
import type { JobLaunch } from './job-launch.js';
import type { JobOutputLog } from './job-output-log.js';
import { spawnJobProcess } from './job-process.js';
import { writeJobRecord, type JobEndRecord, type JobRecord } from './job-record.js';
import { LogGrowthWatcher } from './log-growth-watcher.js';
import { recordedProcessState } from './recorded-process-state.js';
import { trackGroupForForcedQuit } from '../../supervisor/forced-quit.js';

/** running → exited (ended by itself, maybe by a signal from elsewhere) | killed (kill_job, server closed) | timed_out. */
export type JobState = 'running' | 'exited' | 'killed' | 'timed_out';

/** Grace between SIGTERM and SIGKILL at a job's time limit, when the server closes, and by default for kill_job. */
export const JOB_KILL_GRACE_MS = 2_000;
/** How often a re-attached job's leader (not our child: no exit event) is looked at. */
const LEADER_POLL_INTERVAL_MS = 200;

/**
 * One background process tree: a wrapper shell leads a new process group, runs the program and records its
 * exit status in the exit file; the program's stdout and stderr are the output log; stdin is a pipe kept open
 * for send_job_input. The job is described in its record file, so that a mux-swarm started after a crash
 * re-attaches to it (`Job.reattach`): status, waiting, time limit and kill work as before, input does not. When
 * the leader exits, processes it left in the group are killed: a job ends as a whole, as a run_command call does.
 */
export class Job {
  readonly id: string;
  readonly name: string | undefined;
  readonly commandText: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly timeLimitMs: number | undefined;
  readonly log: JobOutputLog;
  /** Started by an earlier mux-swarm process; this one re-attached to it after a restart. */
  readonly reattached: boolean;
  /** Resolves once the job has ended. */
  readonly ended: Promise<void>;
  readonly #record: JobRecord;
  readonly #recordFile: string;
  readonly #input: JobInput;
  readonly #waiters = new Set<() => void>();
  #resolveEnded: () => void = () => {};
  #timeLimit: NodeJS.Timeout | undefined;
  #leaderPoll: NodeJS.Timeout | undefined;
  #untrackForcedQuit: (() => void) | undefined;
  #growth: LogGrowthWatcher | undefined;
  #state: JobState = 'running';
  #exitCode: number | null = null;
  #signal: NodeJS.Signals | null = null;
  #exitStatusKnown = true;
  #endedUnattended = false;
  #endedAt: Date | undefined;
  #leaderExited = false;
  #backgroundProcessesStopped = false;
  #endReason: 'killed' | 'timed_out' | undefined;
  #killing: Promise<void> | undefined;

  /**
   * Starts the job and writes its record; rejects with the spawn error (ENOENT, EACCES, …) when the program
   * cannot be started, with a MuxSwarmError when the record cannot be written (the job is killed then).
   */
  static async start(launch: JobLaunch): Promise<Job> {
    const started = await spawnJobProcess(launch);
    const record: JobRecord = {
      schemaVersion: 1,
      id: launch.id,
      ...(launch.name === undefined ? {} : { name: launch.name }),
      command: launch.commandText,
      pid: started.pid,
      processStartTime: started.processStartTime,
      startedAt: new Date().toISOString(),
      ...(launch.timeLimitMs === undefined ? {} : { timeLimitMs: launch.timeLimitMs }),
      outputLog: launch.log.file,
      exitFile: launch.exitFile,
      owner: launch.owner,
    };
    try {
      writeJobRecord(launch.recordFile, record);
    } catch (error) {
      started.child.stdin?.destroy();
      await killProcessGroup(started.pid, { graceMs: 0 }).catch(() => {});
      throw error;
    }
    return new Job(record, launch.recordFile, launch.log, started.child);
  }

  /** The job a record describes, from an earlier mux-swarm process: running if its leader still runs, else ended. */
  static reattach(record: JobRecord, recordFile: string, log: JobOutputLog): Job {
    return new Job(record, recordFile, log, undefined);
  }

  private constructor(record: JobRecord, recordFile: string, log: JobOutputLog, child: ChildProcess | undefined) {
    this.id = record.id;
    this.name = record.name;
    this.commandText = record.command;
    this.pid = record.pid;
    this.startedAt = new Date(record.startedAt);
    this.timeLimitMs = record.timeLimitMs;
    this.log = log;
    this.reattached = child === undefined;
    this.#record = record;
    this.#recordFile = recordFile;
    this.#input = new JobInput(record.id, child?.stdin ?? null);
    if (record.end !== undefined) {
      this.#restoreEnd(record.end);
      this.ended = Promise.resolve();
      return;
    }
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.#growth = new LogGrowthWatcher(
      log.file,
      () => log.size(),
      () => this.#wake(),
    );
    this.#untrackForcedQuit = trackGroupForForcedQuit(record.pid);
    if (record.timeLimitMs !== undefined) {
      const remaining = this.startedAt.getTime() + record.timeLimitMs - Date.now();
      this.#timeLimit = setTimeout(() => void this.kill(JOB_KILL_GRACE_MS, 'timed_out'), Math.max(0, remaining));
      this.#timeLimit.unref();
    }
    if (child !== undefined) {
      child.on('error', () => {
        // After a successful spawn only signal delivery can fail here; the exit status tells the rest.
      });
      child.once('exit', (exitCode, signal) => {
        const status = signal !== null ? { exitCode: null, signal } : exitStatusFromShellCode(exitCode ?? 0);
        void this.#finish(status, true);
      });
    } else {
      this.#leaderPoll = setInterval(() => this.#checkLeader(), LEADER_POLL_INTERVAL_MS);
      this.#leaderPoll.unref();
      this.#checkLeader();
      this.#endedUnattended = this.#leaderExited;
    }
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

  /** False for a job whose end nobody saw and that left no exit file (its wrapper died with it). */
  get exitStatusKnown(): boolean {
    return this.#exitStatusKnown;
  }

  /** The job had ended before this process re-attached to it: no mux-swarm was watching when it ended. */
  get endedUnattended(): boolean {
    return this.#endedUnattended;
  }

  get endedAt(): Date | undefined {
    return this.#endedAt;
  }

  get stdinOpen(): boolean {
    return this.#input.open && this.running;
  }

  /** The leader ended while other processes of its group still ran; they were killed. */
  get backgroundProcessesStopped(): boolean {
    return this.#backgroundProcessesStopped;
  }

  runtimeMs(): number {
    return Math.max(0, (this.#endedAt ?? new Date()).getTime() - this.startedAt.getTime());
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
  writeInput(text: string, closeAfter: boolean): Promise<{ delivered: boolean }> {
    const closedBecause = this.running
      ? 'it was closed'
      : `the job has ${this.#state === 'exited' ? 'exited' : 'been stopped'}`;
    return this.#input.write(text, closeAfter, closedBecause);
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
    if (this.#killing !== undefined) return;
    this.#killing = killProcessGroup(this.pid, { graceMs }).catch(() => {
      // Processes stuck in uninterruptible I/O survive SIGKILL for a while; the job ends with its leader.
    });
    if (this.reattached) void this.#killing.then(() => this.#checkLeader());
  }

  /** A re-attached job: has its leader ended? (It is not our child: there is no exit event.) */
  #checkLeader(): void {
    if (this.#leaderExited) return;
    const leader = recordedProcessState(this.pid, this.#record.processStartTime);
    // A replaced pid belongs to another process: its group is not the job's and must not be signalled.
    if (leader !== 'running') void this.#finish(undefined, leader === 'ended');
  }

  /** The leader is gone: stop what it left in the group, read how the program ended, record it. */
  async #finish(leaderStatus: JobExitStatus | undefined, groupIsOurs: boolean): Promise<void> {
    if (this.#leaderExited) return;
    this.#leaderExited = true;
    this.#untrackForcedQuit?.();
    clearTimeout(this.#timeLimit);
    clearInterval(this.#leaderPoll);
    if (groupIsOurs && this.#killing === undefined && isProcessGroupAlive(this.pid)) {
      this.#backgroundProcessesStopped = true;
      this.#killGroup(JOB_KILL_GRACE_MS);
    }
    await this.#killing;
    this.#input.destroy();
    this.#growth?.stop();
    const recorded = readJobExitFile(this.#record.exitFile);
    const status = recorded ?? leaderStatus;
    this.#exitCode = status?.exitCode ?? null;
    this.#signal = status?.signal ?? null;
    this.#exitStatusKnown = status !== undefined;
    this.#endedAt = this.reattached && recorded !== undefined ? recorded.endedAt : new Date();
    this.#state = this.#endReason ?? 'exited';
    this.#saveEnd();
    this.#wake();
    this.#resolveEnded();
  }

  #saveEnd(): void {
    const end: JobEndRecord = {
      state: this.#state === 'running' ? 'exited' : this.#state,
      exitCode: this.#exitCode,
      signal: this.#signal,
      exitStatusKnown: this.#exitStatusKnown,
      endedAt: (this.#endedAt ?? new Date()).toISOString(),
      backgroundProcessesStopped: this.#backgroundProcessesStopped,
    };
    try {
      writeJobRecord(this.#recordFile, { ...this.#record, end });
    } catch {
      // A later restart then reads the end from the exit file, or reports it unknown.
    }
  }

  #restoreEnd(end: JobEndRecord): void {
    this.#leaderExited = true;
    this.#state = end.state;
    this.#exitCode = end.exitCode;
    this.#signal = end.signal as NodeJS.Signals | null;
    this.#exitStatusKnown = end.exitStatusKnown;
    this.#endedUnattended = !end.exitStatusKnown;
    this.#endedAt = new Date(end.endedAt);
    this.#backgroundProcessesStopped = end.backgroundProcessesStopped;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

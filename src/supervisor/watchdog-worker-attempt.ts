import { dirname } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { formatDuration } from '../text/duration.js';
import { MuxSwarmError, describeError } from '../errors/mux-swarm-error.js';
import {
  HEARTBEAT_FILE_VARIABLE,
  HEARTBEAT_INTERVAL_VARIABLE,
  WATCHDOG_ATTEMPT_VARIABLE,
  WATCHDOG_RUN_FILE_VARIABLE,
  watchdogRunFile,
} from './heartbeat.js';
import { killProcessGroup, signalProcessGroup } from './process-group.js';
import { spawnInProcessGroup } from './spawn-child.js';
import { waitForStreamsToClose } from './wait-for-streams.js';
import { monitorHeartbeat, type HeartbeatMonitor } from './watchdog-heartbeat-monitor.js';
import type { ResolvedWatchdogOptions } from './watchdog-options.js';
import { LineTail } from './line-tail.js';

/** Grace given to processes left in the worker's group after the worker itself ended. */
const LEFTOVER_GRACE_MS = 1_000;
/** How long the worker's pipes may stay open after its group is gone (a process that left the group). */
const STREAM_CLOSE_TIMEOUT_MS = 1_000;

export interface WorkerHang {
  /** How long the worker had been silent when it was killed. */
  silentMs: number;
  /** `hung: no heartbeat for 62 s`. */
  description: string;
}

/** How one attempt ended. */
export interface WorkerAttemptEnd {
  attempt: number;
  pid: number;
  startedAtMs: number;
  endedAtMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the watchdog killed the worker for a stale heartbeat. */
  hang: WorkerHang | undefined;
  stderrTail: string[];
}

/**
 * One run of the worker: spawned as the leader of its own process group (stdin ignored, stdout inherited or
 * piped untouched, stderr passed through while its tail is kept), watched through its heartbeat file, and
 * ended by `stop` (signal forwarded, SIGKILL after the grace) or by the heartbeat monitor (SIGKILL).
 * `ended` resolves once the worker exited and no process of its group is left.
 */
export class WorkerAttempt {
  readonly ended: Promise<WorkerAttemptEnd>;
  private readonly monitor: HeartbeatMonitor;
  private graceTimer: NodeJS.Timeout | undefined;
  private hang: WorkerHang | undefined;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly attempt: number,
    readonly startedAtMs: number,
    private readonly heartbeatFile: string,
    private readonly options: ResolvedWatchdogOptions,
  ) {
    const tail = new LineTail(options.stderrTailLines);
    child.stderr?.on('data', (chunk: Buffer) => {
      tail.push(chunk);
      options.stderr.write(chunk);
    });
    if (options.stdout !== undefined) child.stdout?.pipe(options.stdout, { end: false });
    this.monitor = monitorHeartbeat({
      file: heartbeatFile,
      startedAtMs,
      timeoutMs: options.heartbeatTimeoutMs,
      startupGraceMs: options.startupGraceMs,
      checkIntervalMs: options.heartbeatCheckIntervalMs,
      onStale: (silentMs, sawBeat) => this.killHung(silentMs, sawBeat),
    });
    this.ended = new Promise((resolve) => {
      child.once('exit', (exitCode, signal) => {
        this.exited = true;
        const endedAtMs = Date.now();
        // A worker that exited on its own before the SIGKILL for its silence landed reached an outcome after all.
        const hang = signal === 'SIGKILL' ? this.hang : undefined;
        resolve(
          this.cleanUp().then(() => ({
            attempt,
            pid,
            startedAtMs,
            endedAtMs,
            exitCode,
            signal,
            hang,
            stderrTail: tail.lines(),
          })),
        );
      });
    });
  }

  /** Spawns attempt number `attempt`; rejects when the worker cannot be started at all. */
  static async start(attempt: number, heartbeatFile: string, options: ResolvedWatchdogOptions): Promise<WorkerAttempt> {
    rmSync(heartbeatFile, { force: true });
    const child = spawnInProcessGroup(options.command, options.args, {
      cwd: options.cwd,
      env: {
        ...options.environment,
        [HEARTBEAT_FILE_VARIABLE]: heartbeatFile,
        [HEARTBEAT_INTERVAL_VARIABLE]: String(options.heartbeatIntervalMs),
        [WATCHDOG_ATTEMPT_VARIABLE]: String(attempt),
        [WATCHDOG_RUN_FILE_VARIABLE]: watchdogRunFile(dirname(heartbeatFile)),
      },
      stdio: ['ignore', options.stdout === undefined ? 'inherit' : 'pipe', 'pipe'],
    });
    const startedAtMs = Date.now();
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new MuxSwarmError(
        'watchdog-spawn-failed',
        `The watchdog cannot start the worker ${options.command}: ${describeError(error)}. Check that the command exists and is executable.`,
        { cause: error },
      );
    }
    return new WorkerAttempt(child, pid, attempt, startedAtMs, heartbeatFile, options);
  }

  /**
   * Forwards `signal` to the worker's whole group; the first call also starts the grace period, after which
   * the group gets SIGKILL. The heartbeat no longer counts: the grace governs.
   */
  stop(signal: NodeJS.Signals): void {
    if (this.exited) return;
    this.monitor.stop();
    this.signalGroup(signal);
    this.graceTimer ??= setTimeout(() => {
      this.options.stderr.write(
        `mux-swarm watch: the worker (pid ${this.pid}) did not end within ${formatDuration(this.options.stopGraceMs)} of ${signal}; killing it.\n`,
      );
      this.signalGroup('SIGKILL');
    }, this.options.stopGraceMs);
  }

  private killHung(silentMs: number, sawBeat: boolean): void {
    if (this.exited) return;
    const description = sawBeat
      ? `hung: no heartbeat for ${formatDuration(silentMs)}`
      : `hung: no first heartbeat within ${formatDuration(silentMs)} of its start`;
    this.hang = { silentMs, description };
    this.options.stderr.write(
      `mux-swarm watch: the worker (attempt ${this.attempt}, pid ${this.pid}) is ${description}; killing its process group.\n`,
    );
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      signalProcessGroup(this.pid, signal);
    } catch (error) {
      this.options.stderr.write(
        `mux-swarm watch: cannot send ${signal} to the worker's process group ${this.pid}: ${describeError(error)}\n`,
      );
    }
  }

  /** After the worker's exit: stop watching, end what is left of its group, let its pipes drain. */
  private async cleanUp(): Promise<void> {
    this.monitor.stop();
    clearTimeout(this.graceTimer);
    try {
      await killProcessGroup(this.pid, { graceMs: LEFTOVER_GRACE_MS });
    } catch (error) {
      this.options.stderr.write(`mux-swarm watch: ${describeError(error)}\n`);
    }
    await waitForStreamsToClose([this.child.stdout, this.child.stderr], STREAM_CLOSE_TIMEOUT_MS);
    if (this.options.stdout !== undefined) this.child.stdout?.unpipe(this.options.stdout);
    rmSync(this.heartbeatFile, { force: true });
  }
}

import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { formatDuration } from '../text/duration.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { CrashHistory, type CrashRecord } from './watchdog-crash-history.js';
import { buildCrashReport, formatCrashReport, writeCrashReport } from './watchdog-crash-report.js';
import { resolveWatchdogOptions, type ResolvedWatchdogOptions, type WatchdogOptions } from './watchdog-options.js';
import { backoffDelay, decideRestart, shellExitCode } from './watchdog-restart-policy.js';
import { OutageWait, PROVIDER_OUTAGE_EXIT_CODE } from './watchdog-outage-wait.js';
import { WorkerAttempt, type WorkerAttemptEnd } from './watchdog-worker-attempt.js';

/** Exit code of the watchdog when it gives up on a crash loop. */
export const CRASH_LOOP_EXIT_CODE = 1;

export type WatchdogStopSignal = 'SIGINT' | 'SIGTERM';

export interface WatchdogResult {
  /** What the watchdog process should exit with. */
  exitCode: number;
  /** worker-finished: the worker reached an outcome; stopped: SIGINT/SIGTERM; crash-loop: it gave up. */
  outcome: 'worker-finished' | 'stopped' | 'crash-loop';
  /** How many times the worker was started. */
  attempts: number;
  crashes: CrashRecord[];
  /** Set for a crash loop. */
  crashReportPath?: string;
}

/** Runs the worker under a watchdog until it reaches an outcome, the watchdog is stopped, or it crash-loops. */
export async function runWatchdog(options: WatchdogOptions): Promise<WatchdogResult> {
  return new Watchdog(options).run();
}

/**
 * The supervisor loop. Restart rules (see docs/watchdog.md): a worker exit of 0, 1, 2, 3, 75 or 130 ends the
 * watchdog with that code (75, a provider outage, is resumed after a backoff under `retryOutageMs`); a death by signal, another exit code or a stale heartbeat is a crash, followed by
 * a restart with the same arguments after an exponential backoff with jitter — until more than `maxCrashes`
 * crashes fall within `crashWindowMs`, when it writes a crash report and exits 1. SIGINT/SIGTERM (or `stop`)
 * is forwarded to the worker's group, which gets SIGKILL after the stop grace; there is no restart after it.
 */
export class Watchdog {
  private readonly options: ResolvedWatchdogOptions;
  private readonly history: CrashHistory;
  private stopSignal: WatchdogStopSignal | undefined;
  private current: WorkerAttempt | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private readonly outageWait: OutageWait | undefined;

  constructor(options: WatchdogOptions) {
    this.options = resolveWatchdogOptions(options);
    this.history = new CrashHistory(this.options.maxCrashes, this.options.crashWindowMs);
    this.outageWait =
      this.options.retryOutageMs > 0
        ? new OutageWait(this.options.retryOutageMs, this.options.modelAnswersSince, this.options.random)
        : undefined;
  }

  /** Stops supervising: forwards `signal` to the running worker (again on each call) and restarts nothing. */
  stop(signal: WatchdogStopSignal): void {
    this.stopSignal ??= signal;
    if (this.current !== undefined) {
      this.say(`${signal} received: forwarding it to the worker (pid ${this.current.pid}); no restart.`);
      this.current.stop(signal);
    }
    this.wakeFromBackoff?.();
  }

  async run(): Promise<WatchdogResult> {
    mkdirSync(this.options.heartbeatDirectory, { recursive: true });
    const removeSignalHandlers = this.options.handleSignals ? this.installSignalHandlers() : () => {};
    try {
      return await this.supervise();
    } finally {
      removeSignalHandlers();
    }
  }

  private async supervise(): Promise<WatchdogResult> {
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopSignal !== undefined)
        return this.result('stopped', 128 + constants.signals[this.stopSignal], attempt - 1);
      const end = await this.runAttempt(attempt);
      if (this.stopSignal !== undefined) return this.result('stopped', shellExitCode(end), attempt);

      const decision =
        end.hang === undefined ? decideRestart(end) : { action: 'restart' as const, description: end.hang.description };
      if (decision.action === 'exit') {
        const wait =
          end.hang === undefined ? this.outageWait?.next(end.exitCode, end.startedAtMs, Date.now()) : undefined;
        if (wait === undefined) {
          if (this.outageWait !== undefined && decision.exitCode === PROVIDER_OUTAGE_EXIT_CODE)
            this.say(
              `the provider outage outlasted --retry-outage ${formatDuration(this.options.retryOutageMs)}; the run stays resumable.`,
            );
          return this.result('worker-finished', decision.exitCode, attempt);
        }
        this.say(
          `the worker (attempt ${attempt}) stopped: its model provider is down (exit 75); resuming it in ${formatDuration(wait.delayMs)} ` +
            `(the outage has lasted ${formatDuration(wait.outageMs)} of the ${formatDuration(this.options.retryOutageMs)} --retry-outage allows).`,
        );
        await this.sleep(wait.delayMs);
        continue;
      }

      const crash: CrashRecord = {
        attempt,
        pid: end.pid,
        startedAtMs: end.startedAtMs,
        endedAtMs: end.endedAtMs,
        reason: end.hang === undefined ? 'crashed' : 'hung',
        exitCode: end.exitCode,
        signal: end.signal,
        description: decision.description,
        stderrTail: end.stderrTail,
      };
      this.history.record(crash);
      const now = Date.now();
      if (this.history.isCrashLoop(now)) return this.giveUp(attempt, now);

      const recent = this.history.recent(now).length;
      const delayMs = backoffDelay(recent, this.options.backoff, this.options.random);
      this.say(
        `the worker (attempt ${attempt}, pid ${end.pid}) ${crash.reason === 'hung' ? 'was killed as' : 'crashed:'} ${crash.description}; ` +
          `restarting it in ${formatDuration(delayMs)} (crash ${recent} of ${this.options.maxCrashes} tolerated within ${formatDuration(this.options.crashWindowMs)}).`,
      );
      await this.sleep(delayMs);
    }
  }

  private async runAttempt(attempt: number): Promise<WorkerAttemptEnd> {
    const heartbeatFile = join(this.options.heartbeatDirectory, `heartbeat-${process.pid}-${attempt}.json`);
    const worker = await WorkerAttempt.start(attempt, heartbeatFile, this.options);
    this.current = worker;
    // A signal that came while the worker was being spawned is forwarded now.
    if (this.stopSignal !== undefined) worker.stop(this.stopSignal);
    try {
      return await worker.ended;
    } finally {
      this.current = undefined;
    }
  }

  private giveUp(attempts: number, nowMs: number): WatchdogResult {
    const report = buildCrashReport({
      command: this.options.command,
      args: this.options.args,
      maxCrashes: this.options.maxCrashes,
      crashWindowMs: this.options.crashWindowMs,
      attempts,
      crashes: this.history.all(),
      journalPosition: this.options.journalPosition,
      nowMs,
    });
    let path: string | undefined;
    try {
      path = writeCrashReport(this.options.heartbeatDirectory, report);
    } catch (error) {
      this.say(`cannot write the crash report into ${this.options.heartbeatDirectory}: ${describeError(error)}`);
    }
    this.options.stderr.write(formatCrashReport(report, path));
    return { ...this.result('crash-loop', CRASH_LOOP_EXIT_CODE, attempts), crashReportPath: path };
  }

  private result(outcome: WatchdogResult['outcome'], exitCode: number, attempts: number): WatchdogResult {
    return { exitCode, outcome, attempts, crashes: [...this.history.all()] };
  }

  /** Waits `ms`, or less when `stop` is called meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeFromBackoff = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeFromBackoff = wake;
    });
  }

  private installSignalHandlers(): () => void {
    const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
      const handler = (): void => this.stop(signal);
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    return () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
  }

  private say(message: string): void {
    this.options.stderr.write(`mux-swarm watch: ${message}\n`);
  }
}

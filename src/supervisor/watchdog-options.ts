import type { Writable } from 'node:stream';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from './heartbeat.js';
import type { JournalPositionReader } from './watchdog-journal-position.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './watchdog-restart-policy.js';
import { DEFAULT_STDERR_TAIL_LINES } from './line-tail.js';
import type { ModelAnswersSince } from './watchdog-outage-wait.js';

export const DEFAULT_MAX_CRASHES = 5;
export const DEFAULT_CRASH_WINDOW_MS = 10 * 60_000;
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_GRACE_MS = 10_000;

export interface WatchdogOptions {
  /** The worker: in production `process.execPath`, with the CLI script and the run's arguments in `args`. */
  command: string;
  args: readonly string[];
  /** The worker's environment, to which the watchdog adds its own variables; default `process.env`. */
  environment?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where heartbeat files (one per attempt, removed after it) and the crash report go. */
  heartbeatDirectory: string;
  /** A worker silent for longer is killed and restarted (default 60 s). */
  heartbeatTimeoutMs?: number;
  /** Time from a worker's start to its first beat (default: the heartbeat timeout). */
  startupGraceMs?: number;
  /** How often the worker is told to beat (default 2 s, or a quarter of the timeout when that is shorter). */
  heartbeatIntervalMs?: number;
  /** How often the watchdog reads the heartbeat (default a tenth of the timeout, 25 ms to 1 s). */
  heartbeatCheckIntervalMs?: number;
  /** Crashes tolerated within the crash window; one more stops the watchdog (default 5). */
  maxCrashes?: number;
  crashWindowMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** After forwarding SIGINT/SIGTERM, how long the worker has to end before its group gets SIGKILL (default 10 s). */
  stopGraceMs?: number;
  stderrTailLines?: number;
  /** Where the worker's stdout goes; default: the watchdog's own stdout, inherited untouched. */
  stdout?: Writable;
  /** Where the worker's stderr and the watchdog's own messages go; default `process.stderr`. */
  stderr?: Writable;
  /** Where the run stood, for the crash report. */
  journalPosition?: JournalPositionReader;
  /** Install SIGINT/SIGTERM handlers that stop the watchdog (default true). */
  handleSignals?: boolean;
  /** For jitter; default Math.random. */
  random?: () => number;
  /** `--retry-outage`: how long a provider outage (worker exit 75) is waited out, resuming with backoff; 0 (default): not at all. */
  retryOutageMs?: number;
  /** Whether the run answered a model call since a time, so an outage streak ends (see watchdog-outage-wait.ts). */
  modelAnswersSince?: ModelAnswersSince;
}

export type ResolvedWatchdogOptions = Required<
  Omit<WatchdogOptions, 'stdout' | 'journalPosition' | 'cwd' | 'backoff' | 'modelAnswersSince'>
> & {
  modelAnswersSince: ModelAnswersSince | undefined;
  stdout: Writable | undefined;
  journalPosition: JournalPositionReader | undefined;
  cwd: string | undefined;
  backoff: BackoffOptions;
};

/** Fills in defaults and refuses values that cannot work, naming the option. */
export function resolveWatchdogOptions(options: WatchdogOptions): ResolvedWatchdogOptions {
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  const resolved: ResolvedWatchdogOptions = {
    command: options.command,
    args: options.args,
    environment: options.environment ?? process.env,
    cwd: options.cwd,
    heartbeatDirectory: options.heartbeatDirectory,
    heartbeatTimeoutMs,
    startupGraceMs: options.startupGraceMs ?? heartbeatTimeoutMs,
    heartbeatIntervalMs:
      options.heartbeatIntervalMs ??
      Math.max(1, Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, Math.floor(heartbeatTimeoutMs / 4))),
    heartbeatCheckIntervalMs:
      options.heartbeatCheckIntervalMs ?? Math.min(1_000, Math.max(25, Math.floor(heartbeatTimeoutMs / 10))),
    maxCrashes: options.maxCrashes ?? DEFAULT_MAX_CRASHES,
    crashWindowMs: options.crashWindowMs ?? DEFAULT_CRASH_WINDOW_MS,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    stopGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    stderrTailLines: options.stderrTailLines ?? DEFAULT_STDERR_TAIL_LINES,
    stdout: options.stdout,
    stderr: options.stderr ?? process.stderr,
    journalPosition: options.journalPosition,
    handleSignals: options.handleSignals ?? true,
    random: options.random ?? Math.random,
    retryOutageMs: options.retryOutageMs ?? 0,
    modelAnswersSince: options.modelAnswersSince,
  };
  requirePositive('heartbeatTimeoutMs', resolved.heartbeatTimeoutMs);
  requirePositive('startupGraceMs', resolved.startupGraceMs);
  requirePositive('heartbeatIntervalMs', resolved.heartbeatIntervalMs);
  requirePositive('heartbeatCheckIntervalMs', resolved.heartbeatCheckIntervalMs);
  requirePositive('crashWindowMs', resolved.crashWindowMs);
  requirePositive('stopGraceMs', resolved.stopGraceMs);
  requirePositive('stderrTailLines', resolved.stderrTailLines);
  requirePositive('backoff.maxMs', resolved.backoff.maxMs);
  if (!Number.isInteger(resolved.maxCrashes) || resolved.maxCrashes < 0)
    invalid('maxCrashes', resolved.maxCrashes, 'a whole number of 0 or more');
  if (!(resolved.backoff.baseMs >= 0)) invalid('backoff.baseMs', resolved.backoff.baseMs, '0 or more milliseconds');
  if (!(resolved.backoff.jitter >= 0 && resolved.backoff.jitter < 1))
    invalid('backoff.jitter', resolved.backoff.jitter, 'a fraction from 0 to below 1');
  if (resolved.heartbeatIntervalMs * 2 > resolved.heartbeatTimeoutMs) {
    invalid(
      'heartbeatIntervalMs',
      resolved.heartbeatIntervalMs,
      `at most half the heartbeat timeout (${resolved.heartbeatTimeoutMs} ms), or healthy workers look hung`,
    );
  }
  return resolved;
}

function requirePositive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) invalid(name, value, 'a positive number');
}

function invalid(name: string, value: unknown, expected: string): never {
  throw new MuxSwarmError(
    'watchdog-invalid-option',
    `watchdog option ${name} is ${String(value)}; it must be ${expected}.`,
  );
}

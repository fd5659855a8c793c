import { constants } from 'node:os';
import { EXIT_CODES } from '../errors/exit-codes.js';

/** Exit codes of `mux-swarm run` that are outcomes, not crashes (see src/errors/exit-codes.ts). */
const OUTCOME_EXIT_CODES: ReadonlySet<number> = new Set([
  EXIT_CODES.success,
  EXIT_CODES.goalFailed, // the goal failed, or the run could not go on
  EXIT_CODES.usage, // usage or configuration error: a restart would fail the same way
  EXIT_CODES.limit, // a limit stopped the run
  EXIT_CODES.providerOutage, // a provider outage stopped the run resumably (waited out only with --retry-outage)
  EXIT_CODES.interrupted,
]);

/** How a worker process ended, as `child_process` reports it. */
export interface WorkerExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export type RestartDecision =
  /** The worker reached an outcome: the watchdog stops and exits with this code. */
  | { action: 'exit'; exitCode: number }
  /** The worker crashed: restart it after a backoff. */
  | { action: 'restart'; description: string };

/**
 * Whether a worker that ended on its own is restarted. Exits 0, 1, 2, 3, 75 and 130 are outcomes of a run (or of
 * a command that a restart would not change) and end the watchdog with the same code; any other exit code and
 * any death by a signal is a crash.
 */
export function decideRestart(exit: WorkerExit): RestartDecision {
  if (exit.signal === null && exit.exitCode !== null && OUTCOME_EXIT_CODES.has(exit.exitCode))
    return { action: 'exit', exitCode: exit.exitCode };
  return { action: 'restart', description: describeWorkerExit(exit) };
}

/** `exit code 7`, `killed by SIGKILL`. */
export function describeWorkerExit(exit: WorkerExit): string {
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exit code ${exit.exitCode ?? 'unknown'}`;
}

/** The code a shell would report for this end: the exit code, or 128 + the signal's number. */
export function shellExitCode(exit: WorkerExit): number {
  if (exit.signal !== null) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.exitCode ?? 1;
}

export interface BackoffOptions {
  /** Delay before the first restart. */
  baseMs: number;
  /** The delay doubles with each recent crash up to this. */
  maxMs: number;
  /** Fraction of the delay added or taken at random: 0.2 gives ±20%. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };

/**
 * Delay before restarting after the `crashNumber`-th recent crash (1-based): base, 2×base, 4×base, … capped
 * at `maxMs`, then ±jitter. `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelay(
  crashNumber: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, crashNumber - 1);
  const uncapped = options.baseMs * 2 ** Math.min(exponent, 30);
  const delay = Math.min(options.maxMs, uncapped);
  const factor = 1 + options.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(delay * factor));
}

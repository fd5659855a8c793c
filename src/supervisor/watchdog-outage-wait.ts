import { EXIT_CODES } from '../errors/exit-codes.js';

/** `mux-swarm run`'s exit code when a provider outage stopped the run resumably. */
export const PROVIDER_OUTAGE_EXIT_CODE = EXIT_CODES.providerOutage;
/** The longest wait between two tries while a provider is down. */
const MAX_OUTAGE_WAIT_MS = 10 * 60_000;
/** The first wait is a tenth of the patience, at most this. */
const MAX_FIRST_WAIT_MS = 30_000;

/** Whether the worker answered a model call since a time: an attempt that did has ended the outage it resumed from. */
export type ModelAnswersSince = (sinceMs: number) => boolean;

/**
 * `--retry-outage <duration>`: a worker that stopped because its provider was down (exit 75) is resumed after a
 * backoff, until the outage has lasted `patienceMs`. The outage is counted from the first stop of a streak of tries
 * that got no model answer; a try that got one ends the streak, and a later outage has the whole patience again.
 * Waits start at a tenth of the patience (at most 30 s) and double, with jitter, up to 10 minutes.
 */
export class OutageWait {
  private outageStartedAtMs: number | undefined;
  private tries = 0;

  constructor(
    readonly patienceMs: number,
    private readonly modelAnswersSince: ModelAnswersSince | undefined,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * After a worker attempt that started at `attemptStartedAtMs` exited with `exitCode` at `nowMs`: how long to wait
   * before resuming it, or undefined when this exit is not an outage or the patience is spent.
   */
  next(
    exitCode: number | null,
    attemptStartedAtMs: number,
    nowMs: number,
  ): { delayMs: number; outageMs: number } | undefined {
    if (exitCode !== PROVIDER_OUTAGE_EXIT_CODE) return undefined;
    if (this.outageStartedAtMs === undefined || this.modelAnswersSince?.(attemptStartedAtMs) === true) {
      this.outageStartedAtMs = nowMs;
      this.tries = 0;
    }
    const outageMs = nowMs - this.outageStartedAtMs;
    if (outageMs >= this.patienceMs) return undefined;
    this.tries += 1;
    const first = Math.min(MAX_FIRST_WAIT_MS, this.patienceMs / 10);
    const ceiling = Math.min(MAX_OUTAGE_WAIT_MS, first * 2 ** Math.min(this.tries - 1, 30));
    const jittered = ceiling * (0.8 + 0.4 * this.random());
    // Never wait past the patience: the last try comes when it runs out.
    return { delayMs: Math.max(0, Math.round(Math.min(jittered, this.patienceMs - outageMs))), outageMs };
  }
}

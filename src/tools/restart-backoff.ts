/** Delay before restart attempt `attempt` (1-based): 1 s, 2 s, 4 s, … capped at 30 s, with ±20 % jitter. */
export function restartDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1_000 * 2 ** (attempt - 1), 30_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** A server that ran this long before it stopped counts as stable: its run of failed restarts starts again at 0. */
export const STABLE_RUN_MS = 60_000;

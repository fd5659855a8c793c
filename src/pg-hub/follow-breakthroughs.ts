import type { PgHubClient } from './pg-hub-client.js';
import { PgHubExchange } from './pg-hub-exchange.js';
import { verifyBreakthrough, type VerificationOutcome, type VerifyOptions } from './verify-breakthrough.js';

/**
 * Verifies every breakthrough this node has not verified yet, one at a time, best claimed metric first. Returns
 * the outcomes in the order they were reached. The local best is measured once per HEAD (cached in
 * `options.baselines`) unless given.
 */
export async function verifyPendingBreakthroughs(
  hub: PgHubClient,
  options: VerifyOptions,
  onOutcome?: (outcome: VerificationOutcome) => void,
): Promise<VerificationOutcome[]> {
  const exchange = new PgHubExchange(hub);
  const baselines = options.baselines ?? new Map();
  const outcomes: VerificationOutcome[] = [];
  for (;;) {
    // Re-read after each verification: an adoption changes HEAD, and new claims may have arrived meanwhile.
    const [next] = await hub.breakthroughs.pending(options.node, 1);
    if (!next) return outcomes;
    const candidate = await exchange.candidate(next.id);
    if (!candidate) continue;
    const outcome = await verifyBreakthrough(exchange, candidate, { ...options, baselines });
    outcomes.push(outcome);
    onOutcome?.(outcome);
  }
}

export interface BreakthroughFollower {
  /** Resolves when the verifications under way are done. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What `run --hub --node` does between iterations: LISTEN for new breakthroughs and verify pending ones as they
 * are announced (and once at start, to catch up), never two at a time. Errors that stop a verification (not
 * rejections: those are outcomes) go to `onError`; the next announcement tries again.
 */
export async function followBreakthroughs(
  hub: PgHubClient,
  options: VerifyOptions,
  handlers: { onOutcome?: (outcome: VerificationOutcome) => void; onError?: (error: unknown) => void } = {},
): Promise<BreakthroughFollower> {
  const baselines = options.baselines ?? new Map();
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let busy = false;
  let stopped = false;
  const kick = (): void => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = (async () => {
      do {
        again = false;
        try {
          await verifyPendingBreakthroughs(hub, { ...options, baselines }, handlers.onOutcome);
        } catch (error) {
          handlers.onError?.(error);
        }
      } while (again && !stopped);
      busy = false;
    })();
  };
  const subscription = await hub.onBreakthrough(kick, (error) => handlers.onError?.(error));
  kick();
  return {
    idle: async () => {
      while (busy) await running;
    },
    stop: async () => {
      stopped = true;
      await subscription.close();
      await running;
    },
  };
}

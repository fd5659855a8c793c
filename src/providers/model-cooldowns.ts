import type { ModelFailureKind } from '../errors/model-chain-error.js';

/** Why and until when an entry of a failover chain is passed over. */
export interface CooldownState {
  kind: ModelFailureKind;
  /** Milliseconds since the epoch; undefined: for the rest of this session (a refused key). */
  untilMs: number | undefined;
}

/**
 * The run's failover state, shared by every agent's chain and keyed by `provider/model`: an entry that failed is
 * passed over until it has cooled. A resumed run restores it from the journal (model_failovers).
 */
export class ModelCooldowns {
  private readonly entries = new Map<string, CooldownState>();

  cool(entry: string, untilMs: number | undefined, kind: ModelFailureKind): void {
    const known = this.entries.get(entry);
    // A longer cooldown is never shortened by a later, shorter one; a refused key stays refused.
    if (known !== undefined && (known.untilMs === undefined || (untilMs !== undefined && known.untilMs >= untilMs)))
      return;
    this.entries.set(entry, { kind, untilMs });
  }

  /** The entry's cooldown at `nowMs`, or undefined when it may be asked. */
  state(entry: string, nowMs: number): CooldownState | undefined {
    const known = this.entries.get(entry);
    if (known === undefined) return undefined;
    if (known.untilMs !== undefined && known.untilMs <= nowMs) {
      this.entries.delete(entry);
      return undefined;
    }
    return known;
  }
}

import { MuxSwarmError } from './mux-swarm-error.js';

/** Why one entry of a failover chain failed, as failover sorts it (see providers/provider-outage.ts). */
export type ModelFailureKind = 'outage' | 'auth' | 'model-not-found' | 'context-length' | 'other';

export interface ChainEntryFailure {
  /** `provider/model` */
  entry: string;
  kind: ModelFailureKind;
  message: string;
}

/**
 * Every entry of an agent's failover chain failed (or was cooling down after failing) for one call. It counts as an
 * outage when any entry failed because its provider was down: that one may answer later, so the run stops resumably.
 */
export class ModelChainError extends MuxSwarmError {
  readonly kind: ModelFailureKind;

  constructor(
    readonly agent: string,
    readonly failures: readonly ChainEntryFailure[],
  ) {
    super(
      'model_chain_failed',
      `Every model of ${agent}'s failover chain failed: ${failures.map((failure) => `${failure.entry}: ${failure.message.replace(/\.?\s*$/, '')}`).join('; ')}.`,
    );
    this.kind = failures.some((failure) => failure.kind === 'outage') ? 'outage' : (failures.at(-1)?.kind ?? 'other');
  }
}

import { MuxSwarmError } from './mux-swarm-error.js';

/** Why a run was stopped before the swarm finished it. */
export type StopReason = 'max_turns' | 'max_budget_usd' | 'max_tokens' | 'timeout' | 'interrupted' | 'provider_outage';

const DESCRIPTIONS: Record<StopReason, string> = {
  max_turns: 'the run reached its turn limit',
  max_budget_usd: 'the run reached its USD budget',
  max_tokens: 'the run reached its token budget',
  timeout: 'the run reached its time limit',
  interrupted: 'the run was interrupted',
  provider_outage: 'a model provider failed after its retries',
};

/**
 * Thrown inside agents once the run is stopping; caught by the run driver, which reports the reason. `explanation`
 * replaces the standard sentence when the stop needs its own (a USD budget that cannot be enforced).
 */
export class RunStoppedError extends MuxSwarmError {
  constructor(
    readonly reason: StopReason,
    readonly detail?: string,
    explanation?: string,
  ) {
    super(
      `run_stopped_${reason}`,
      explanation ?? (detail ? `${DESCRIPTIONS[reason]} (${detail})` : DESCRIPTIONS[reason]),
    );
  }
}

export function describeStop(reason: StopReason): string {
  return DESCRIPTIONS[reason];
}

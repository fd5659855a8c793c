import { MuxSwarmError } from './mux-swarm-error.js';

/** Where a replay first asked something the recording does not hold. */
export interface Divergence {
  agent: string;
  /** The agent's model turn (1 for its first call in a delegation). */
  turn: number;
  /** One line: what differs. */
  reason: string;
  /** A readable unified diff of what was recorded against what was asked now (empty when there is nothing to compare). */
  diff: string;
}

/**
 * Raised by a replayed model (or tool) once the replay has diverged: the run cannot go on from the recording. `replay`
 * reports the divergence with its diff; recording the run again with this version gives a cassette that matches.
 */
export class ReplayDivergedError extends MuxSwarmError {
  constructor(readonly divergence: Divergence) {
    super('replay_diverged', `replay diverged: ${divergence.agent}, turn ${divergence.turn}: ${divergence.reason}`);
  }
}

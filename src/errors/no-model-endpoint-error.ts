import { MuxSwarmError } from './mux-swarm-error.js';

/** The swarm cannot start because no model endpoint is usable; the message lists the ways to give it one. */
export class NoModelEndpointError extends MuxSwarmError {
  constructor(guidance: string) {
    super('no_model_endpoint', guidance);
  }
}

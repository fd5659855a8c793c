import { MuxSwarmError } from './mux-swarm-error.js';

/** A hub subcommand given no hub to talk to (no --hub, no MUX_SWARM_HUB_URL): exit code 2, like every usage error. */
export class HubUsageError extends MuxSwarmError {
  constructor(message: string) {
    super('hub_usage', message);
  }
}

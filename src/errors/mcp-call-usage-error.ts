import { MuxSwarmError } from './mux-swarm-error.js';

/** A mistake in how `mcp call` (or `mcp serve`) was invoked: exit code 2, like every usage error (its code says so). */
export class McpCallUsageError extends MuxSwarmError {
  constructor(message: string) {
    super('mcp_call_usage', message);
  }
}

import { MuxSwarmError } from '../../../errors/mux-swarm-error.js';

/**
 * A mistake in how `mcp call` (or `mcp serve`) was invoked: exit code 2, like every usage error. In a module of its
 * own so that `main` can classify it without loading the MCP machinery.
 */
export class McpCallUsageError extends MuxSwarmError {
  constructor(message: string) {
    super('mcp_call_usage', message);
  }
}

import { MuxSwarmError } from './mux-swarm-error.js';

/** A configured MCP server that could not be started or listed; carries the tail of its stderr. */
export class McpServerStartError extends MuxSwarmError {
  constructor(
    readonly server: string,
    reason: string,
    readonly stderrTail: string[] = [],
  ) {
    const tail = stderrTail.length > 0 ? `\n  its stderr ended with:\n${stderrTail.map((line) => `    ${line}`).join('\n')}` : '';
    super(
      'mcp_server_start_failed',
      `MCP server "${server}" did not start: ${reason}${tail}\n  Fix the mcpServers.${server} entry in config.json, mark it "optional": true, or set "enabled": false.`,
    );
  }
}

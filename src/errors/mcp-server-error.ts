import { MuxSwarmError } from './mux-swarm-error.js';

/**
 * A configured MCP server that could not be started or listed; carries the reason and the tail of its stderr.
 * When several required servers failed at once (see `combine`), `server` names them all and `failures` holds
 * one error each.
 */
export class McpServerStartError extends MuxSwarmError {
  readonly failures: readonly McpServerStartError[];

  constructor(
    readonly server: string,
    readonly reason: string,
    readonly stderrTail: string[] = [],
    failures?: readonly McpServerStartError[],
  ) {
    super(
      'mcp_server_start_failed',
      failures ? describeFailures(failures) : describeFailure(server, reason, stderrTail),
    );
    this.failures = failures ?? [this];
  }

  /** One error for several failed servers; a single failure is returned as it is. */
  static combine(failures: readonly McpServerStartError[]): McpServerStartError {
    if (failures.length === 1) return failures[0]!;
    return new McpServerStartError(
      failures.map((failure) => failure.server).join(', '),
      failures.map((failure) => `"${failure.server}": ${failure.reason}`).join('; '),
      [],
      [...failures],
    );
  }
}

function describeFailure(server: string, reason: string, stderrTail: readonly string[]): string {
  const tail =
    stderrTail.length > 0 ? `\n  its stderr ended with:\n${stderrTail.map((line) => `    ${line}`).join('\n')}` : '';
  return (
    `MCP server "${server}" did not start: ${reason}${tail}\n` +
    `  Fix the mcpServers.${server} entry in config.json, mark it "optional": true, or set "enabled": false.`
  );
}

function describeFailures(failures: readonly McpServerStartError[]): string {
  return `${failures.length} MCP servers did not start:\n${failures.map((failure) => `- ${failure.message.replace(/\n/g, '\n  ')}`).join('\n')}`;
}

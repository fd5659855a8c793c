import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/config-schema.js';
import { McpServerStartError } from '../errors/mcp-server-error.js';
import { describeError } from '../errors/mux-swarm-error.js';
import type { BuiltinContext } from './builtin-servers.js';
import { formatDuration } from '../config/duration.js';
import { withCallSignal } from './call-signal.js';
import { connectServer, type ListedTool, type ServerConnection, type TransportKind } from './server-connection.js';
import { isToolGranted, type ToolGrant } from './tool-grant.js';
import { uniqueExposedName } from './tool-names.js';
import { toolResultText, type McpToolResult } from './tool-result-text.js';

/** A tool as the hub offers it: where it lives and what the model will call it. */
export interface HubTool {
  exposedName: string;
  server: string;
  tool: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface ServerStatus {
  name: string;
  status: 'connected' | 'failed' | 'disabled';
  transport?: TransportKind;
  tools: number;
  optional: boolean;
  error?: string;
}

export interface ToolCallOutcome {
  text: string;
  isError: boolean;
  structuredContent?: unknown;
}

export interface ToolHubOptions {
  context: BuiltinContext;
  startupTimeoutMs?: number;
  onStderrLine?: (server: string, line: string) => void;
  onWarning?: (message: string) => void;
}

/**
 * The one place agents' tools come from: connects every enabled MCP server (built-in in-process, stdio in its
 * own process group, streamable HTTP with SSE fallback), names their tools `server__tool`, scopes them per
 * agent, and calls them with per-server timeouts and cancellation.
 */
export class ToolHub {
  private readonly connections = new Map<string, ServerConnection>();
  private readonly byExposedName = new Map<string, HubTool>();
  readonly statuses: ServerStatus[] = [];

  private constructor(
    private readonly servers: Record<string, McpServerConfig>,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  /**
   * Starts the servers in parallel. A required server that fails stops everything (the ones already started
   * are closed); an optional one only warns.
   */
  static async start(servers: Record<string, McpServerConfig>, options: ToolHubOptions): Promise<ToolHub> {
    const hub = new ToolHub(servers, options.onWarning);
    const entries = Object.entries(servers);
    const connectOptions = {
      context: options.context,
      startupTimeoutMs: options.startupTimeoutMs ?? 30_000,
      onStderrLine: options.onStderrLine,
      onConnectionLost: (server: string, reason: string) => hub.markLost(server, reason),
    };
    const results = await Promise.allSettled(entries.map(async ([name, entry]) => (entry.enabled ? connectServer(name, entry, connectOptions) : undefined)));
    const failures: McpServerStartError[] = [];
    results.forEach((result, index) => {
      const [name, entry] = entries[index]!;
      if (!entry.enabled) {
        hub.statuses.push({ name, status: 'disabled', tools: 0, optional: entry.optional });
      } else if (result.status === 'fulfilled' && result.value) {
        hub.add(result.value);
        hub.statuses.push({ name, status: 'connected', transport: result.value.transportKind, tools: result.value.tools.length, optional: entry.optional });
        const lost = result.value.lostReason();
        if (lost) hub.markLost(name, lost);
      } else if (result.status === 'rejected') {
        const error = result.reason instanceof McpServerStartError ? result.reason : new McpServerStartError(name, describeError(result.reason));
        hub.statuses.push({ name, status: 'failed', tools: 0, optional: entry.optional, error: error.message });
        if (entry.optional) options.onWarning?.(`optional ${error.message.split('\n')[0]}; its tools are not available`);
        else failures.push(error);
      }
    });
    if (failures.length > 0) {
      await hub.close();
      throw McpServerStartError.combine(failures);
    }
    return hub;
  }

  private add(connection: ServerConnection): void {
    this.connections.set(connection.name, connection);
    for (const tool of connection.tools) this.register(connection.name, tool);
  }

  private register(server: string, tool: ListedTool): void {
    const exposedName = uniqueExposedName(server, tool.name, this.byExposedName);
    this.byExposedName.set(exposedName, {
      exposedName,
      server,
      tool: tool.name,
      description: tool.description ?? '',
      inputSchema: tool.inputSchema,
      annotations: tool.annotations,
    });
  }

  /** A server's connection ended by itself: its status turns `failed`, and the run is warned once. */
  private markLost(server: string, reason: string): void {
    const status = this.statuses.find((candidate) => candidate.name === server);
    if (!status || status.status !== 'connected') return;
    status.status = 'failed';
    status.error = `MCP server "${server}" stopped while in use: ${reason}`;
    this.onWarning?.(`${status.error}; calls to its tools will fail`);
  }

  tools(): HubTool[] {
    return [...this.byExposedName.values()];
  }

  toolsFor(grant: ToolGrant): HubTool[] {
    return this.tools().filter((tool) => isToolGranted(grant, tool.server, tool.exposedName));
  }

  tool(exposedName: string): HubTool | undefined {
    return this.byExposedName.get(exposedName);
  }

  /**
   * Calls a tool by its exposed name. Failures of any kind (unknown tool, timeout, a dead server) come back as
   * an error outcome the model can read, never as a hang or a thrown error; only cancellation throws.
   */
  async call(exposedName: string, input: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<ToolCallOutcome> {
    const tool = this.byExposedName.get(exposedName);
    if (!tool) return { text: `unknown tool "${exposedName}"`, isError: true };
    const connection = this.connections.get(tool.server);
    if (!connection) return { text: `MCP server "${tool.server}" is not connected`, isError: true };
    const lost = connection.lostReason();
    if (lost) return { text: lostOutcome(exposedName, tool.server, lost), isError: true };
    const timeoutMs = this.servers[tool.server]?.timeoutMs ?? 120_000;
    try {
      const result = (await withCallSignal(options.signal, (signal) => connection.client.callTool({ name: tool.tool, arguments: input }, undefined, { signal, timeout: timeoutMs }))) as McpToolResult;
      return { text: toolResultText(result), isError: result.isError === true, structuredContent: result.structuredContent };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const lostDuringCall = connection.lostReason();
      if (lostDuringCall) return { text: lostOutcome(exposedName, tool.server, lostDuringCall), isError: true };
      const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout;
      return {
        text: timedOut
          ? `tool ${exposedName} (server "${tool.server}") timed out: no answer within ${formatDuration(timeoutMs)} (the server's timeoutMs), so the call was cancelled`
          : `tool ${exposedName} failed on server "${tool.server}": ${describeError(error)}`,
        isError: true,
      };
    }
  }

  /** Closes every connection; stdio servers' whole process groups are gone when this resolves. */
  async close(): Promise<void> {
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(connections.map((connection) => connection.close()));
  }
}

function lostOutcome(exposedName: string, server: string, reason: string): string {
  return `tool ${exposedName} cannot run: its MCP server "${server}" is no longer running (${reason}); other servers' tools still work`;
}

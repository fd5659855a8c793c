import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../config/config-schema.js';
import { McpServerStartError } from '../errors/mcp-server-error.js';
import { describeError } from '../errors/mux-swarm-error.js';
import type { BuiltinContext } from './builtin-servers.js';
import { formatDuration } from '../text/duration.js';
import { withCallSignal } from './call-signal.js';
import { ManagedServer, type ServerState } from './managed-server.js';
import type { ListedTool, ServerConnection, TransportKind } from './server-connection.js';
import { isToolGranted, type ToolGrant } from './tool-grant.js';
import { uniqueExposedName } from './tool-names.js';
import { toolResultText, type McpToolResult } from './tool-result-text.js';
import type { StartupDeadline } from './startup-deadline.js';

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
  status: ServerState;
  transport?: TransportKind;
  tools: number;
  optional: boolean;
  /** Times it was restarted after stopping mid-run. */
  restarts: number;
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
  /** When a server's start-up wait is over; default: `startupTimeoutMs` of wall-clock time. */
  startupDeadline?: StartupDeadline;
  onStderrLine?: (server: string, line: string) => void;
  onWarning?: (message: string) => void;
  /** Delay before restart attempt n of a server that stopped; default 1 s, 2 s, 4 s … with jitter. */
  restartDelayMs?: (attempt: number) => number;
}

/**
 * The one place agents' tools come from: connects every enabled MCP server (built-in in-process, stdio in its
 * own process group, streamable HTTP with SSE fallback), names their tools `server__tool`, scopes them per
 * agent, and calls them with per-server timeouts and cancellation.
 */
export class ToolHub {
  private readonly managed = new Map<string, ManagedServer>();
  private readonly byExposedName = new Map<string, HubTool>();
  private toolRevision = 0;

  /**
   * Starts the servers in parallel. A required server that fails stops everything (the ones already started
   * are closed); an optional one only warns.
   */
  static async start(servers: Record<string, McpServerConfig>, options: ToolHubOptions): Promise<ToolHub> {
    const hub = new ToolHub();
    const base = {
      context: options.context,
      startupTimeoutMs: options.startupTimeoutMs ?? 30_000,
      startupDeadline: options.startupDeadline,
      onStderrLine: options.onStderrLine,
    };
    const hooks = {
      onToolsChanged: (server: string, tools: ListedTool[]) => hub.replaceTools(server, tools),
      onWarning: options.onWarning,
      restartDelayMs: options.restartDelayMs,
    };
    for (const [name, entry] of Object.entries(servers))
      hub.managed.set(name, new ManagedServer(name, entry, base, hooks));
    const enabled = [...hub.managed.values()].filter((server) => server.state !== 'disabled');
    const results = await Promise.allSettled(enabled.map((server) => server.start()));
    const failures: McpServerStartError[] = [];
    results.forEach((result, index) => {
      const server = enabled[index]!;
      if (result.status === 'fulfilled') return;
      const error =
        result.reason instanceof McpServerStartError
          ? result.reason
          : new McpServerStartError(server.name, describeError(result.reason));
      if (server.entry.optional)
        options.onWarning?.(`optional ${error.message.split('\n')[0]}; its tools are not available`);
      else failures.push(error);
    });
    if (failures.length > 0) {
      await hub.close();
      throw McpServerStartError.combine(failures);
    }
    // Registered in config order, whatever order the servers answered in.
    for (const server of hub.managed.values()) hub.replaceTools(server.name, server.tools);
    return hub;
  }

  /** Every configured server's state, in config order. */
  get statuses(): ServerStatus[] {
    return [...this.managed.values()].map((server) => ({
      name: server.name,
      status: server.state,
      ...(server.transportKind ? { transport: server.transportKind } : {}),
      tools: server.tools.length,
      optional: server.entry.optional,
      restarts: server.restarts,
      ...(server.error ? { error: server.error } : {}),
    }));
  }

  /** Grows by one whenever the set of tools changes (a restart, a `list_changed`), so callers can tell. */
  get revision(): number {
    return this.toolRevision;
  }

  private replaceTools(server: string, tools: ListedTool[]): void {
    for (const [exposedName, tool] of this.byExposedName)
      if (tool.server === server) this.byExposedName.delete(exposedName);
    for (const tool of tools) {
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
    this.toolRevision += 1;
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
  async call(
    exposedName: string,
    input: Record<string, unknown>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ToolCallOutcome> {
    const tool = this.byExposedName.get(exposedName);
    if (!tool) return { text: `unknown tool "${exposedName}"`, isError: true };
    const server = this.managed.get(tool.server);
    if (!server) return { text: `MCP server "${tool.server}" is not configured`, isError: true };
    const first = await this.callOnce(server, tool, input, options.signal);
    if (!('sessionGone' in first)) return first;
    // The server forgot our session (it was restarted): the request was refused unread, so after a reconnect it is
    // sent once more.
    server.connectionFailed(
      first.connection,
      'its HTTP session ended (HTTP 404: the server no longer knows it, e.g. after a restart)',
    );
    const second = await this.callOnce(server, tool, input, options.signal);
    return 'sessionGone' in second
      ? {
          text: `tool ${exposedName} failed on server "${tool.server}": its HTTP session ended again right after reconnecting`,
          isError: true,
        }
      : second;
  }

  private async callOnce(
    server: ManagedServer,
    tool: HubTool,
    input: Record<string, unknown>,
    callSignal: AbortSignal | undefined,
  ): Promise<ToolCallOutcome | { sessionGone: true; connection: ServerConnection }> {
    const { exposedName } = tool;
    const timeoutMs = server.entry.timeoutMs;
    const connection = await server.connectionForCall(callSignal, timeoutMs);
    if (callSignal?.aborted) throw callSignal.reason;
    if ('unavailable' in connection)
      return {
        text: `tool ${exposedName} cannot run: its MCP server "${tool.server}" is not available: ${connection.unavailable}; other servers' tools still work`,
        isError: true,
      };
    try {
      const result = (await withCallSignal(callSignal, (signal) =>
        connection.client.callTool({ name: tool.tool, arguments: input }, undefined, { signal, timeout: timeoutMs }),
      )) as McpToolResult;
      // A tool that changed the server's tools (its list_changed came before its answer) is followed by the new list.
      await server.toolChangesSettled();
      return {
        text: toolResultText(result),
        isError: result.isError === true,
        structuredContent: result.structuredContent,
      };
    } catch (error) {
      if (callSignal?.aborted) throw error;
      if (connection.transportKind === 'streamable-http' && error instanceof StreamableHTTPError && error.code === 404)
        return { sessionGone: true, connection };
      const lostDuringCall = connection.lostReason();
      if (lostDuringCall) {
        const next = server.entry.maxRestarts > 0 ? 'it is being restarted' : 'it is not restarted (maxRestarts is 0)';
        return {
          text: `tool ${exposedName} failed: its MCP server "${tool.server}" stopped during the call (${lostDuringCall}); ${next}. The call was not repeated because it may have had effects: check, then call again`,
          isError: true,
        };
      }
      const timedOut = error instanceof McpError && error.code === ErrorCode.RequestTimeout;
      return {
        text: timedOut
          ? `tool ${exposedName} (server "${tool.server}") timed out: no answer within ${formatDuration(timeoutMs)} (the server's timeoutMs), so the call was cancelled`
          : `tool ${exposedName} failed on server "${tool.server}": ${describeError(error)}`,
        isError: true,
      };
    }
  }

  /** Closes every server; stdio servers' whole process groups are gone when this resolves. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.managed.values()].map((server) => server.close()));
  }
}

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { HttpServerConfig, McpServerConfig, StdioServerConfig } from '../config/config-schema.js';
import { McpServerStartError } from '../errors/mcp-server-error.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { createBuiltinServer, type BuiltinContext } from './builtin-servers.js';
import { shutdownServer } from '../servers/server-shutdown.js';
import { formatDuration } from '../text/duration.js';
import { ProcessGroupStdioTransport } from './process-group-stdio-transport.js';
import { builtinConfinement } from './builtin-confinement.js';
import type { SandboxRequest } from '../supervisor/sandbox/sandbox-request.js';
import { LazyJsonSchemaValidator } from './lazy-schema-validator.js';
import { wallClockDeadline, type StartupDeadline } from './startup-deadline.js';

export const CLIENT_INFO = { name: 'mux-swarm', version: '0.1.0' };

/** Each client's options: output schemas compiled when first needed, not when the tools are listed (start-up). */
const CLIENT_OPTIONS = () => ({ jsonSchemaValidator: new LazyJsonSchemaValidator() });

export interface ListedTool {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export type TransportKind = 'in-process' | 'stdio' | 'streamable-http' | 'sse';

/** One live MCP server: its client, how it is reached, and the tools it listed. */
export interface ServerConnection {
  readonly name: string;
  readonly transportKind: TransportKind;
  readonly client: Client;
  tools: ListedTool[];
  /** Lists the server's tools again (every page) and keeps them as `tools`. */
  refreshTools(): Promise<ListedTool[]>;
  stderrTail(): string[];
  /** Why the connection ended by itself (the server exited or was killed); undefined while it is up. */
  lostReason(): string | undefined;
  close(): Promise<void>;
}

export interface ConnectOptions {
  context: BuiltinContext;
  startupTimeoutMs: number;
  /** When the start-up wait is over; default: `startupTimeoutMs` of wall-clock time. */
  startupDeadline?: StartupDeadline;
  onStderrLine?: (server: string, line: string) => void;
  /** The connection ended without close() being called: the server exited, crashed or was killed. */
  onConnectionLost?: (server: string, reason: string) => void;
  /** The server said its tool list changed (`notifications/tools/list_changed`). */
  onToolsChanged?: (server: string) => void;
}

/** What one opening step needs: the caller's options, the start-up deadline as a signal, and request options bound to it. */
interface Opening {
  name: string;
  options: ConnectOptions;
  deadline: AbortSignal;
  requestOptions: RequestOptions;
}

/**
 * Connects to one configured server and lists its tools within `startupTimeoutMs`, or fails with the server's
 * name, the reason and its stderr tail. Whatever was started is stopped before this rejects: a stdio server that
 * never answers the handshake has its whole process group killed, not left running.
 */
export async function connectServer(
  name: string,
  entry: McpServerConfig,
  options: ConnectOptions,
): Promise<ServerConnection> {
  const controller = new AbortController();
  const cancelDeadline = (options.startupDeadline ?? wallClockDeadline)(name, options.startupTimeoutMs, () =>
    controller.abort(),
  );
  // The SDK's own request timeout must not win the race with the deadline: its message would not say which limit.
  const requestOptions: RequestOptions = { signal: controller.signal, timeout: options.startupTimeoutMs + 60_000 };
  const opening: Opening = { name, options, deadline: controller.signal, requestOptions };
  try {
    const connection = await open(entry, opening);
    try {
      connection.tools = await listAllTools(connection.client, requestOptions);
      return connection;
    } catch (error) {
      const tail = connection.stderrTail();
      await connection.close().catch(() => {});
      throw startFailure(opening, `listing its tools failed: ${describeError(error)}`, tail);
    }
  } finally {
    cancelDeadline();
  }
}

async function open(entry: McpServerConfig, opening: Opening): Promise<ServerConnection> {
  switch (entry.type) {
    case 'builtin': {
      const server = await createBuiltinServer(entry, opening.options.context);
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      await server.connect(serverTransport);
      const client = new Client(CLIENT_INFO, CLIENT_OPTIONS());
      try {
        await client.connect(clientTransport, opening.requestOptions);
      } catch (error) {
        await shutdownServer(server).catch(() => {});
        throw startFailure(opening, describeError(error));
      }
      return connection(
        opening,
        'in-process',
        client,
        () => [],
        async () => {
          await client.close();
          await shutdownServer(server);
        },
      );
    }
    case 'stdio':
      return openStdio(entry, opening);
    default:
      return openHttp(entry, opening);
  }
}

/**
 * The handshake request carries the deadline's signal, so the connect rejects when it passes (the spawn itself
 * is quick and not interrupted); the transport is then closed, which kills the server's process group.
 */
async function openStdio(entry: StdioServerConfig, opening: Opening): Promise<ServerConnection> {
  const { name, options } = opening;
  const transport = new ProcessGroupStdioTransport({
    command: entry.command,
    args: entry.args,
    env: entry.env,
    cwd: entry.cwd ?? options.context.workdir,
    onStderrLine: (line) => options.onStderrLine?.(name, line),
    ...stdioConfinement(entry, options.context),
  });
  const client = new Client(CLIENT_INFO, CLIENT_OPTIONS());
  let exitReason: string | undefined;
  client.onerror = (error) => {
    exitReason ??= howItEnded(error);
  };
  try {
    await client.connect(transport, opening.requestOptions);
  } catch (error) {
    await transport.close().catch(() => {});
    const commandLine = [entry.command, ...entry.args].join(' ');
    const reason = exitReason ? `${exitReason} before answering the MCP handshake` : describeError(error);
    throw startFailure(opening, `${commandLine}: ${reason}`, transport.stderrTail());
  }
  return connection(
    opening,
    'stdio',
    client,
    () => transport.stderrTail(),
    () => client.close(),
  );
}

/** Streamable HTTP first; for `type: "http"` a 4xx answer (other than 401/403) means an SSE-only server: try SSE. */
async function openHttp(entry: HttpServerConfig, opening: Opening): Promise<ServerConnection> {
  const url = new URL(entry.url);
  const requestInit = { headers: entry.headers };
  if (entry.type !== 'sse') {
    const transport = new StreamableHTTPClientTransport(url, { requestInit });
    const client = new Client(CLIENT_INFO, CLIENT_OPTIONS());
    try {
      await untilDeadline(client.connect(transport, opening.requestOptions), opening.deadline);
      return connection(
        opening,
        'streamable-http',
        client,
        () => [],
        () => client.close(),
      );
    } catch (error) {
      await transport.close().catch(() => {});
      const status = error instanceof StreamableHTTPError ? error.code : undefined;
      const fallBack =
        entry.type === 'http' &&
        !opening.deadline.aborted &&
        status !== undefined &&
        status >= 400 &&
        status < 500 &&
        status !== 401 &&
        status !== 403;
      if (!fallBack)
        throw startFailure(
          opening,
          `cannot connect to ${entry.url}: ${status !== undefined && status > 0 ? `HTTP ${status}, ` : ''}${describeError(error)}`,
        );
    }
  }
  const transport = new SSEClientTransport(url, { requestInit });
  const client = new Client(CLIENT_INFO, CLIENT_OPTIONS());
  try {
    // SSEClientTransport.start() waits for the server's endpoint event and is not interrupted by the signal.
    await untilDeadline(client.connect(transport as Transport, opening.requestOptions), opening.deadline);
  } catch (error) {
    await transport.close().catch(() => {});
    const tried = entry.type === 'sse' ? 'SSE' : 'streamable HTTP and SSE both';
    throw startFailure(opening, `cannot connect to ${entry.url} (${tried} failed): ${describeError(error)}`);
  }
  return connection(
    opening,
    'sse',
    client,
    () => [],
    () => client.close(),
  );
}

function connection(
  opening: Opening,
  transportKind: TransportKind,
  client: Client,
  stderrTail: () => string[],
  closeResources: () => Promise<void>,
): ServerConnection {
  let closing = false;
  let lastError: string | undefined;
  let lostReason: string | undefined;
  client.onerror = (error) => {
    lastError = howItEnded(error) ?? describeError(error).split('\n')[0];
  };
  client.onclose = () => {
    if (closing) return;
    lostReason = lastError ?? 'the connection closed';
    opening.options.onConnectionLost?.(opening.name, lostReason);
  };
  // Handled whether or not the server advertises listChanged: some servers notify without saying they will.
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    if (!closing) opening.options.onToolsChanged?.(opening.name);
  });
  const result: ServerConnection = {
    name: opening.name,
    transportKind,
    client,
    tools: [],
    refreshTools: async () => {
      result.tools = await listAllTools(client, { timeout: opening.options.startupTimeoutMs });
      return result.tools;
    },
    stderrTail,
    lostReason: () => lostReason,
    close: async () => {
      closing = true;
      await closeResources();
    },
  };
  return result;
}

/** Follows `nextCursor` until the server has listed every tool. */
async function listAllTools(client: Client, requestOptions: RequestOptions): Promise<ListedTool[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  const tools: ListedTool[] = [];
  const seenCursors = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const response = await client.listTools(cursor ? { cursor } : undefined, requestOptions);
    for (const tool of response.tools) {
      tools.push({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema as Record<string, unknown>,
        annotations: tool.annotations as Record<string, unknown> | undefined,
      });
    }
    cursor = response.nextCursor;
    if (!cursor) return tools;
    if (seenCursors.has(cursor))
      throw new Error(`tools/list returned cursor "${cursor}" twice; the server's pagination loops`);
    seenCursors.add(cursor);
  }
}

/** The transport's "exited with code 1" / "was killed by SIGKILL", when that is what the error reports. */
function howItEnded(error: Error): string | undefined {
  const match = /(exited with code -?\d+|was killed by [A-Z0-9]+)/.exec(error.message);
  return match ? `the process ${match[1]}` : undefined;
}

function startFailure(opening: Opening, reason: string, stderrTail: string[] = []): McpServerStartError {
  const why = opening.deadline.aborted
    ? `no answer within ${formatDuration(opening.options.startupTimeoutMs)} (startupTimeoutMs); it was stopped`
    : reason;
  return new McpServerStartError(opening.name, why, stderrTail);
}

/** Rejects as soon as `deadline` fires, for steps that do not watch the signal themselves. */
function untilDeadline<T>(promise: Promise<T>, deadline: AbortSignal): Promise<T> {
  if (deadline.aborted) return Promise.reject(new Error('start-up deadline passed'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('start-up deadline passed'));
    deadline.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A stdio server's sandbox: only when its entry asks for one (`sandbox`), with the host's network unless it says. */
function stdioConfinement(entry: StdioServerConfig, context: BuiltinContext): { sandbox?: SandboxRequest } {
  if (entry.sandbox === undefined) return {};
  const request = builtinConfinement(
    context.sandbox ?? { backend: 'auto', readOnly: [], writable: [], limits: {} },
    entry.sandbox,
    'host',
    {
      workdir: context.workdir,
      stateDirectory: context.stateDirectory,
      environment: context.environment ?? process.env,
      projectDirectory: context.projectDirectory,
    },
  );
  return request === undefined ? {} : { sandbox: request };
}

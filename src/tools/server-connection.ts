import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { HttpServerConfig, McpServerConfig, StdioServerConfig } from '../config/config-schema.js';
import { McpServerStartError } from '../errors/mcp-server-error.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { createBuiltinServer, type BuiltinContext } from './builtin-servers.js';
import { ProcessGroupStdioTransport } from './process-group-stdio-transport.js';

export const CLIENT_INFO = { name: 'mux-swarm', version: '0.1.0' };

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
  stderrTail(): string[];
  close(): Promise<void>;
}

export interface ConnectOptions {
  context: BuiltinContext;
  startupTimeoutMs: number;
  onStderrLine?: (server: string, line: string) => void;
}

/** Connects to one configured server and lists its tools, or fails with the server's name and stderr tail. */
export async function connectServer(name: string, entry: McpServerConfig, options: ConnectOptions): Promise<ServerConnection> {
  const connection = await withTimeout(open(name, entry, options), options.startupTimeoutMs, name);
  try {
    connection.tools = await withTimeout(listAllTools(connection.client), options.startupTimeoutMs, name);
    return connection;
  } catch (error) {
    const tail = connection.stderrTail();
    await connection.close().catch(() => {});
    throw error instanceof McpServerStartError ? error : new McpServerStartError(name, `listing its tools failed: ${describeError(error)}`, tail);
  }
}

async function open(name: string, entry: McpServerConfig, options: ConnectOptions): Promise<ServerConnection> {
  switch (entry.type) {
    case 'builtin': {
      const server = await createBuiltinServer(entry, options.context);
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      await server.connect(serverTransport);
      const client = new Client(CLIENT_INFO);
      await client.connect(clientTransport);
      return connection(name, 'in-process', client, () => [], async () => {
        await client.close();
        await server.close();
      });
    }
    case 'stdio':
      return openStdio(name, entry, options);
    default:
      return openHttp(name, entry);
  }
}

async function openStdio(name: string, entry: StdioServerConfig, options: ConnectOptions): Promise<ServerConnection> {
  const transport = new ProcessGroupStdioTransport({
    command: entry.command,
    args: entry.args,
    env: entry.env,
    cwd: entry.cwd ?? options.context.workdir,
    onStderrLine: (line) => options.onStderrLine?.(name, line),
  });
  const client = new Client(CLIENT_INFO);
  try {
    await client.connect(transport);
  } catch (error) {
    const tail = transport.stderrTail();
    await transport.close().catch(() => {});
    throw new McpServerStartError(name, `${entry.command} ${entry.args.join(' ')}: ${describeError(error)}`, tail);
  }
  return connection(name, 'stdio', client, () => transport.stderrTail(), () => client.close());
}

async function openHttp(name: string, entry: HttpServerConfig): Promise<ServerConnection> {
  const url = new URL(entry.url);
  const requestInit = { headers: entry.headers };
  if (entry.type !== 'sse') {
    const client = new Client(CLIENT_INFO);
    try {
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit }));
      return connection(name, 'streamable-http', client, () => [], () => client.close());
    } catch (error) {
      const status = error instanceof StreamableHTTPError ? error.code : undefined;
      // Servers that only speak the older SSE transport answer the new one with 4xx.
      const fallBack = entry.type === 'http' && status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;
      await client.close().catch(() => {});
      if (!fallBack) throw new McpServerStartError(name, `cannot connect to ${entry.url}: ${describeError(error)}`);
    }
  }
  const client = new Client(CLIENT_INFO);
  try {
    await client.connect(new SSEClientTransport(url, { requestInit }) as Transport);
  } catch (error) {
    throw new McpServerStartError(name, `cannot connect to ${entry.url} (streamable HTTP and SSE both failed): ${describeError(error)}`);
  }
  return connection(name, 'sse', client, () => [], () => client.close());
}

function connection(name: string, transportKind: TransportKind, client: Client, stderrTail: () => string[], close: () => Promise<void>): ServerConnection {
  return { name, transportKind, client, tools: [], stderrTail, close };
}

/** Follows `nextCursor` until the server has listed every tool. */
async function listAllTools(client: Client): Promise<ListedTool[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  const tools: ListedTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const response = await client.listTools(cursor ? { cursor } : undefined);
    for (const tool of response.tools) {
      tools.push({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema as Record<string, unknown>,
        annotations: tool.annotations as Record<string, unknown> | undefined,
      });
    }
    cursor = response.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

async function withTimeout<T>(promise: Promise<T>, milliseconds: number, server: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new McpServerStartError(server, `no answer within ${Math.round(milliseconds / 1000)}s`)), milliseconds);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

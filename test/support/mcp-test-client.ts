import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { shutdownServer } from '../../src/servers/server-shutdown.js';

/** A tool result as tests look at it. */
export interface TestToolOutcome {
  /** The text blocks of the result, joined by newlines. */
  text: string;
  isError: boolean;
  structured: Record<string, unknown> | undefined;
  content: CallToolResult['content'];
}

export interface McpTestClient {
  client: Client;
  call(name: string, args?: Record<string, unknown>, options?: RequestOptions): Promise<TestToolOutcome>;
  /** Names of the tools the server lists. */
  toolNames(): Promise<string[]>;
  /** Closes the client and the server, and waits for the server's shutdown work (e.g. training jobs stopping). */
  close(): Promise<void>;
}

/** Connects a real MCP client to `server` over a linked in-memory transport pair. */
export async function connectTestClient(server: McpServer, clientName = 'mux-swarm-test'): Promise<McpTestClient> {
  const client = new Client({ name: clientName, version: '0.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    call: async (name, args = {}, options) =>
      outcomeOf((await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult),
    toolNames: async () => (await client.listTools()).tools.map((tool) => tool.name),
    close: async () => {
      await client.close();
      await shutdownServer(server);
    },
  };
}

export function outcomeOf(result: CallToolResult): TestToolOutcome {
  return {
    text: result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n'),
    isError: result.isError === true,
    structured: result.structuredContent as Record<string, unknown> | undefined,
    content: result.content,
  };
}

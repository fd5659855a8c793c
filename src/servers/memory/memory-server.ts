// PLACEHOLDER (replaced by the memory server work): the signature builtin-servers.ts relies on.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export interface MemoryServerOptions {
  /** The SQLite database holding the graph (the state database by default); opened, migrated, closed with the server. */
  databasePath: string;
}

export function createMemoryServer(_options: MemoryServerOptions): McpServer {
  throw new Error('the memory server is not built yet');
}

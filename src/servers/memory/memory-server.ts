import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerMemoryReadTools } from './memory-read-tools.js';
import { registerMemoryWriteTools } from './memory-write-tools.js';
import { openKnowledgeGraphStore } from './open-knowledge-graph-store.js';

export interface MemoryServerOptions {
  /** The SQLite database holding the graph (the state database by default); opened, migrated, closed with the server. */
  databasePath: string;
}

const serverVersion = '0.1.0';

/**
 * The built-in memory MCP server: the tools of @modelcontextprotocol/server-memory (same names, arguments and
 * results) over a knowledge graph kept in SQLite, with ranked full-text search_nodes. The database is opened now
 * (a failure throws MuxSwarmError `state_open_failed` or `state_too_new`) and closed when the server or its
 * transport closes.
 */
export function createMemoryServer(options: MemoryServerOptions): McpServer {
  const store = openKnowledgeGraphStore(options.databasePath);
  const databasePath = store.database.name;
  const server = new McpServer(
    { name: 'memory', version: serverVersion },
    {
      instructions:
        'A persistent knowledge graph shared across runs: entities (unique names, a type, observations) and ' +
        'relations between them. Look things up with search_nodes or open_nodes rather than read_graph, which ' +
        'returns everything.',
    },
  );
  registerMemoryWriteTools(server, store, databasePath);
  registerMemoryReadTools(server, store, databasePath);

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    store.close();
    previousOnClose?.();
  };
  return server;
}

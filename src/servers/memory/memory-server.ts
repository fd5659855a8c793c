import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerMemoryReadTools } from './memory-read-tools.js';
import { registerMemoryWriteTools } from './memory-write-tools.js';
import { openKnowledgeGraphStore } from './open-knowledge-graph-store.js';
import { registerMemoryFixTools } from './memory-fix-tools.js';
import type { SqliteDatabase } from '../../state/database.js';
import { FailureMemory } from '../../state/failure-memory.js';
import { FailureStore } from '../../state/failure-store.js';

export interface MemoryServerOptions {
  /** The SQLite database holding the graph (the state database by default); opened, migrated, closed with the server. */
  databasePath: string;
  /**
   * Adds search_fixes, record_fix and rate_fix over the failure memory in the same database and, when given, the
   * user store in `userStoreDirectory`. Without it the server has exactly the tools of the reference server.
   */
  failureMemory?: { userStoreDirectory?: string; secrets?: readonly string[] };
}

const serverVersion = '0.1.0';

function openFailureMemory(database: SqliteDatabase, options: NonNullable<MemoryServerOptions['failureMemory']>): FailureMemory {
  const storeOptions = { secrets: options.secrets ?? [] };
  const user = options.userStoreDirectory === undefined ? undefined : FailureMemory.openUserStore(options.userStoreDirectory, storeOptions);
  return new FailureMemory(new FailureStore(database, storeOptions), user);
}

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
  const failureMemory = options.failureMemory === undefined ? undefined : openFailureMemory(store.database, options.failureMemory);
  if (failureMemory !== undefined) registerMemoryFixTools(server, failureMemory, databasePath);

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    failureMemory?.close();
    store.close();
    previousOnClose?.();
  };
  return server;
}

import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GraphSharing } from '../../config/config-schema.js';
import { resolveHomePath } from '../../config/home-path.js';
import { describeError } from '../../errors/mux-swarm-error.js';
import { scrubberOf, type KnownSecrets } from '../../logging/secret-scrubber.js';
import { openDatabase, type SqliteDatabase } from '../../state/database.js';
import { FailureMemory, USER_STORE_FILE } from '../../failures/failure-memory.js';
import { FailureStore } from '../../state/failure-store.js';
import { KnowledgeGraphStore } from '../../state/knowledge-graph-store.js';
import { registerMemoryFixTools } from './memory-fix-tools.js';
import { registerMemoryReadTools } from './memory-read-tools.js';
import { registerMemoryWriteTools } from './memory-write-tools.js';
import { openKnowledgeGraphStore } from '../../state/open-knowledge-graph-store.js';
import { SharedKnowledgeGraph, type UserGraph } from './shared-knowledge-graph.js';

export interface MemoryServerOptions {
  /** The SQLite database holding the graph (the state database by default); opened, migrated, closed with the server. */
  databasePath: string;
  /**
   * The directory of the user store (memory.db, shared by every workdir on this machine; `~` is the home directory).
   * Without it the server has the workdir's graph and failure memory alone.
   */
  userStoreDirectory?: string;
  /**
   * Which graph writes go through to the user store: "general" (default: what the agent marks `general: true`),
   * "all", or "none" (the graph neither writes to nor reads from the user store).
   */
  shareGraph?: GraphSharing;
  /** Secret values (the process's scrubber) kept out of everything stored, besides what redactSecrets recognises. */
  secrets?: KnownSecrets;
  /** Adds search_fixes, record_fix and rate_fix over the failure memory; without it, exactly the reference's tools. */
  fixes?: boolean;
}

const serverVersion = '0.1.0';

const instructions =
  'A persistent knowledge graph shared across runs: entities (unique names, a type, observations) and ' +
  'relations between them. Look things up with search_nodes or open_nodes rather than read_graph, which ' +
  'returns everything. Mark general: true what holds beyond this project: machine quirks, library API changes, ' +
  'how to call tools. It is kept in the user store too, and the reads of every workdir on this machine see it; ' +
  'what concerns only this project stays unmarked.';

/** memory.db opened once for the graph and the failure memory; a file that cannot be opened is a problem, not an error. */
interface UserDatabase {
  path: string;
  database?: SqliteDatabase;
  problem?: string;
}

function openUserDatabase(directory: string): UserDatabase {
  const expanded = resolveHomePath(directory);
  const path = join(expanded, USER_STORE_FILE);
  try {
    return { path, database: openDatabase(expanded, USER_STORE_FILE) };
  } catch (error) {
    return { path, problem: `it cannot be opened (${describeError(error)})` };
  }
}

/**
 * The built-in memory MCP server: the tools of @modelcontextprotocol/server-memory (same names, arguments and
 * results, plus an optional `general` mark) over a knowledge graph kept in SQLite, with ranked full-text
 * search_nodes, and beside it the user store's graph (SharedKnowledgeGraph). The workdir's database is opened now
 * (a failure throws MuxSwarmError `state_open_failed` or `state_too_new`); the user store's memory.db too, once
 * for the graph and the failure memory — when it cannot be opened the server starts without it and the graph
 * tools say so. Both are closed when the server or its transport closes.
 */
export function createMemoryServer(options: MemoryServerOptions): McpServer {
  const secrets = scrubberOf(options.secrets);
  const store = openKnowledgeGraphStore(options.databasePath, { secrets });
  const databasePath = store.database.name;
  const sharing = options.shareGraph ?? 'general';
  const wantsUser = options.userStoreDirectory !== undefined && (options.fixes === true || sharing !== 'none');
  const user = wantsUser ? openUserDatabase(options.userStoreDirectory!) : undefined;
  const server = new McpServer({ name: 'memory', version: serverVersion }, { instructions });
  const userGraph: UserGraph | undefined =
    user === undefined || sharing === 'none'
      ? undefined
      : {
          path: user.path,
          sharing,
          ...(user.database
            ? { store: new KnowledgeGraphStore(user.database, { secrets }) }
            : { problem: user.problem! }),
        };
  const graph = new SharedKnowledgeGraph(store, userGraph);
  registerMemoryWriteTools(server, graph, databasePath);
  registerMemoryReadTools(server, graph, databasePath);
  if (options.fixes) {
    const userFailures = user?.database === undefined ? undefined : new FailureStore(user.database, { secrets });
    registerMemoryFixTools(
      server,
      new FailureMemory(new FailureStore(store.database, { secrets }), userFailures),
      databasePath,
    );
  }

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    if (user?.database?.open) user.database.close();
    store.close();
    previousOnClose?.();
  };
  return server;
}

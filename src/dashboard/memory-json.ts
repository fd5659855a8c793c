import type { SqliteDatabase } from '../state/database.js';
import { FailureStore } from '../state/failure-store.js';
import { KnowledgeGraphStore } from '../state/knowledge-graph-store.js';

/** Most failures and entities the memory page lists: it is a search page, not an export. */
const LIMIT = 100;

/**
 * The workdir's failure memory (failures with fingerprints and their fixes) and the memory server's knowledge graph,
 * both matching `query` (best first), or the newest of each without one. Read through the stores that write them,
 * so the search is the one `mux-swarm memory search` and the agents' memory tools use.
 */
export function memoryJson(database: SqliteDatabase, query: string): Record<string, unknown> {
  const failures = new FailureStore(database);
  const graph = new KnowledgeGraphStore(database);
  const words = query.trim();
  const found =
    words === ''
      ? failures
          .listFailures()
          .slice(-LIMIT)
          .reverse()
          .map((failure) => ({ failure, fixes: failures.fixesFor(failure.fingerprint, 10) }))
      : failures.search(words, LIMIT);
  const nodes = words === '' ? graph.readGraph() : graph.searchNodes(words, { limit: LIMIT });
  return {
    query: words,
    failures: found,
    entities: nodes.entities.slice(-LIMIT),
    relations: nodes.relations.slice(0, LIMIT * 4),
  };
}

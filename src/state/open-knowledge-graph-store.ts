import path from 'node:path';
import { openDatabase } from './database.js';
import { KnowledgeGraphStore, type KnowledgeGraphStoreOptions } from './knowledge-graph-store.js';

/**
 * Opens (creating and migrating when needed) the SQLite database at `databasePath` — absolute, or relative to
 * process.cwd() — and returns a store over its knowledge graph. The caller closes it with `store.close()`.
 */
export function openKnowledgeGraphStore(
  databasePath: string,
  options: KnowledgeGraphStoreOptions = {},
): KnowledgeGraphStore {
  const resolved = path.resolve(databasePath);
  return new KnowledgeGraphStore(openDatabase(path.dirname(resolved), path.basename(resolved)), options);
}

import type { SqliteDatabase } from './database.js';
import { rankEntityIds } from './memory-entity-ranking.js';

/**
 * A read-only look into the memory server's knowledge graph (the tables of migration 2) for the runtime, which
 * may not import the server: the recovery report asks it which remembered facts bear on the goal. The ranking is
 * the server's search_nodes ranking (memory-entity-ranking.ts), with function words left out of the any-word tier
 * so that "the" in a phase title does not match everything.
 */

/** An entity with its type and its newest observations. */
export interface MemoryEntitySummary {
  name: string;
  entityType: string;
  /** The newest observations, oldest of them first. */
  observations: string[];
  /** Observations not included. */
  moreObservations: number;
}

export interface MemorySearchOptions {
  /** Most entities returned, across all queries. */
  limit: number;
  /** Most observations per entity (the newest). */
  observationsPerEntity: number;
}

/**
 * The entities that best match `queries`: the best of each query in turn (round robin), each entity once, at
 * most `limit`. A database without the memory tables (or an empty graph) gives none.
 */
export function searchMemoryEntities(database: SqliteDatabase, queries: readonly string[], options: MemorySearchOptions): MemoryEntitySummary[] {
  if (options.limit <= 0 || !hasMemoryTables(database)) return [];
  const rankings = queries.filter((query) => query.trim() !== '').map((query) => rankEntityIds(database, query, { skipFunctionWords: true }));
  const chosen: number[] = [];
  for (let position = 0; chosen.length < options.limit && rankings.some((ids) => position < ids.length); position += 1) {
    for (const ids of rankings) {
      const id = ids[position];
      if (id !== undefined && !chosen.includes(id) && chosen.length < options.limit) chosen.push(id);
    }
  }
  return chosen.flatMap((id) => summarize(database, id, options.observationsPerEntity));
}

function hasMemoryTables(database: SqliteDatabase): boolean {
  return database.prepare(`SELECT count(*) FROM sqlite_master WHERE name IN ('memory_entities', 'memory_observations', 'memory_search')`).pluck().get() === 3;
}

function summarize(database: SqliteDatabase, id: number, observationsPerEntity: number): MemoryEntitySummary[] {
  const entity = database.prepare(`SELECT name, entity_type FROM memory_entities WHERE id = ?`).get(id) as { name: string; entity_type: string } | undefined;
  if (entity === undefined) return [];
  const total = database.prepare(`SELECT count(*) FROM memory_observations WHERE entity_id = ?`).pluck().get(id) as number;
  const newest = database.prepare(`SELECT content FROM memory_observations WHERE entity_id = ? ORDER BY id DESC LIMIT ?`).pluck().all(id, Math.max(0, observationsPerEntity)) as string[];
  return [{ name: entity.name, entityType: entity.entity_type, observations: newest.reverse(), moreObservations: total - newest.length }];
}

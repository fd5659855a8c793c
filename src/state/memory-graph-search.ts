import type { SqliteDatabase } from './database.js';

/**
 * A read-only look into the memory server's knowledge graph (the tables of migration 2) for the runtime, which
 * may not import the server: the recovery report asks it which remembered facts bear on the goal. The ranking
 * follows the server's search_nodes (all words, then all words as prefixes, then any word, then the whole query
 * as a substring), with function words left out of the any-word tier so that "the" does not match everything.
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

const FUNCTION_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'into', 'is', 'it', 'of', 'on', 'or', 'the', 'then', 'to', 'with']);
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * The entities that best match `queries`: the best of each query in turn (round robin), each entity once, at
 * most `limit`. A database without the memory tables (or an empty graph) gives none.
 */
export function searchMemoryEntities(database: SqliteDatabase, queries: readonly string[], options: MemorySearchOptions): MemoryEntitySummary[] {
  if (options.limit <= 0 || !hasMemoryTables(database)) return [];
  const rankings = queries.filter((query) => query.trim() !== '').map((query) => rankedIds(database, query));
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

function rankedIds(database: SqliteDatabase, query: string): number[] {
  const ranked: number[] = [];
  const take = (ids: readonly number[]): void => {
    for (const id of ids) if (!ranked.includes(id)) ranked.push(id);
  };
  const words = query.split(/\s+/u).filter((word) => LETTER_OR_DIGIT.test(word));
  const terms = words.map(quoted);
  if (terms.length > 0) {
    take(matchingIds(database, terms.join(' AND ')));
    take(matchingIds(database, terms.map((term) => `${term}*`).join(' AND ')));
    const meaningful = words.filter((word) => !FUNCTION_WORDS.has(word.toLowerCase())).map(quoted);
    if (ranked.length === 0 && terms.length > 1 && meaningful.length > 0) take(matchingIds(database, meaningful.map((term) => `${term}*`).join(' OR ')));
  }
  take(substringIds(database, query.trim()));
  return ranked;
}

/** A word as an FTS5 phrase: operators and punctuation in it are plain text. */
function quoted(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

function matchingIds(database: SqliteDatabase, expression: string): number[] {
  return database
    .prepare(`SELECT rowid FROM memory_search WHERE memory_search MATCH ? ORDER BY bm25(memory_search, 10, 3, 1), rowid`)
    .pluck()
    .all(expression) as number[];
}

/** The whole query as a substring of the name, the type or an observation (ASCII case folded, as LIKE does). */
function substringIds(database: SqliteDatabase, query: string): number[] {
  const pattern = `%${query.replace(/[%_\\]/g, '\\$&')}%`;
  return database
    .prepare(
      `SELECT e.id FROM memory_entities e
        WHERE e.name LIKE @pattern ESCAPE '\\' OR e.entity_type LIKE @pattern ESCAPE '\\'
           OR EXISTS (SELECT 1 FROM memory_observations o WHERE o.entity_id = e.id AND o.content LIKE @pattern ESCAPE '\\')
        ORDER BY e.id`,
    )
    .pluck()
    .all({ pattern }) as number[];
}

function summarize(database: SqliteDatabase, id: number, observationsPerEntity: number): MemoryEntitySummary[] {
  const entity = database.prepare(`SELECT name, entity_type FROM memory_entities WHERE id = ?`).get(id) as { name: string; entity_type: string } | undefined;
  if (entity === undefined) return [];
  const total = database.prepare(`SELECT count(*) FROM memory_observations WHERE entity_id = ?`).pluck().get(id) as number;
  const newest = database.prepare(`SELECT content FROM memory_observations WHERE entity_id = ? ORDER BY id DESC LIMIT ?`).pluck().all(id, Math.max(0, observationsPerEntity)) as string[];
  return [{ name: entity.name, entityType: entity.entity_type, observations: newest.reverse(), moreObservations: total - newest.length }];
}

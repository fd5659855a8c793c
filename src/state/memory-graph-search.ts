import { z } from 'zod';
import type { SqliteDatabase } from './database.js';
import { entityNameRowSchema } from './knowledge-graph-rows.js';
import { interleaveTiers } from './knowledge-graph-union.js';
import { rankEntityTiers } from './memory-entity-ranking.js';

/**
 * A read-only look into the memory server's knowledge graph (the tables of migration 2) for the runtime, which
 * may not import the server: the recovery report asks it which remembered facts bear on the goal — in the
 * workdir's graph and the user store's (lessons marked general in any workdir), read as one. The ranking is the
 * server's search_nodes ranking (memory-entity-ranking.ts), with function words left out of the any-word tier so
 * that "the" in a phase title does not match everything; two graphs are merged tier by tier, as the server does.
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

const entityTypeRowSchema = z.object({ id: z.number(), entity_type: z.string() });
const datedObservationSchema = z.object({ content: z.string(), createdAt: z.string() });

export interface MemorySearchOptions {
  /** Most entities returned, across all queries. */
  limit: number;
  /** Most observations per entity (the newest). */
  observationsPerEntity: number;
}

/**
 * The entities that best match `queries` in `databases` (the workdir's first): the best of each query in turn
 * (round robin), each entity once, at most `limit`. An entity both graphs hold is one: the first graph's type,
 * the observations of both without repeats. A database without the memory tables (or an empty graph) adds none.
 */
export function searchMemoryEntities(
  databases: readonly SqliteDatabase[],
  queries: readonly string[],
  options: MemorySearchOptions,
): MemoryEntitySummary[] {
  const graphs = databases.filter(hasMemoryTables);
  if (options.limit <= 0 || graphs.length === 0) return [];
  const rankings = queries
    .filter((query) => query.trim() !== '')
    .map((query) =>
      interleaveTiers(
        graphs.map((database) => namedTiers(database, rankEntityTiers(database, query, { skipFunctionWords: true }))),
      ),
    );
  const chosen: string[] = [];
  for (
    let position = 0;
    chosen.length < options.limit && rankings.some((names) => position < names.length);
    position += 1
  ) {
    for (const names of rankings) {
      const name = names[position];
      if (name !== undefined && !chosen.includes(name) && chosen.length < options.limit) chosen.push(name);
    }
  }
  return chosen.flatMap((name) => summarize(graphs, name, options.observationsPerEntity));
}

function hasMemoryTables(database: SqliteDatabase): boolean {
  return (
    database
      .prepare(
        `SELECT count(*) FROM sqlite_master WHERE name IN ('memory_entities', 'memory_observations', 'memory_search')`,
      )
      .pluck()
      .get() === 3
  );
}

function namedTiers(database: SqliteDatabase, tiers: readonly number[][]): string[][] {
  const rows = database
    .prepare(`SELECT id, name FROM memory_entities WHERE id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(tiers.flat()))
    .map((row) => entityNameRowSchema.parse(row));
  const names = new Map(rows.map((row) => [row.id, row.name]));
  return tiers.map((ids) => ids.flatMap((id) => names.get(id) ?? []));
}

/** The entity as the graphs hold it together: the first one's type, each observation once, newest last. */
function summarize(
  graphs: readonly SqliteDatabase[],
  name: string,
  observationsPerEntity: number,
): MemoryEntitySummary[] {
  let entityType: string | undefined;
  const observations: Array<{ content: string; createdAt: string }> = [];
  const known = new Set<string>();
  for (const database of graphs) {
    const found = database.prepare(`SELECT id, entity_type FROM memory_entities WHERE name = ?`).get(name);
    if (found === undefined) continue;
    const entity = entityTypeRowSchema.parse(found);
    entityType ??= entity.entity_type;
    const rows = database
      .prepare(`SELECT content, created_at AS createdAt FROM memory_observations WHERE entity_id = ? ORDER BY id`)
      .all(entity.id)
      .map((row) => datedObservationSchema.parse(row));
    for (const row of rows) {
      if (known.has(row.content)) continue;
      known.add(row.content);
      observations.push(row);
    }
  }
  if (entityType === undefined) return [];
  // Stable: within one graph (and among equal times) the order they were added in.
  observations.sort((left, right) => left.createdAt.localeCompare(right.createdAt));
  const newest = observations.slice(Math.max(0, observations.length - Math.max(0, observationsPerEntity)));
  return [
    {
      name,
      entityType,
      observations: newest.map((row) => row.content),
      moreObservations: observations.length - newest.length,
    },
  ];
}

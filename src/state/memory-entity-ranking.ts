import { z } from 'zod';
import type { SqliteDatabase } from './database.js';
import { allTermsAsPrefixes, allTermsExactly, anyTermAsPrefix, quotedTerms } from './full-text-query.js';

/** bm25 weights of the indexed columns: a word in the name counts most, then the type, then observations. */
const columnWeights = { name: 10, entityType: 3, observations: 1 } as const;

const substringFunction = 'memory_contains';

const entityIds = z.array(z.number());

/** Words that would make the any-word tier match nearly everything ("the" is a prefix of "then", "there" …). */
const FUNCTION_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'in',
  'into',
  'is',
  'it',
  'of',
  'on',
  'or',
  'the',
  'then',
  'to',
  'with',
]);

export interface RankingOptions {
  limit?: number;
  /** Leave function words out of the any-word tier (for searches built from titles rather than typed by an agent). */
  skipFunctionWords?: boolean;
}

const databasesWithFunctions = new WeakSet<SqliteDatabase>();

/**
 * The ids of the entities that match `query`, best first, in four tiers (an entity appears once, in the first
 * tier that finds it):
 *
 * 1. all words of the query as whole tokens, by bm25 score;
 * 2. all words, each possibly the start of a longer token (`deploy` → `deployment`), by bm25 score;
 * 3. only when tiers 1 and 2 found nothing and the query has several words: any word as a prefix, by bm25;
 * 4. the whole query as a case-insensitive substring of the name, the type or one observation — exactly what
 *    @modelcontextprotocol/server-memory matches — in the order the entities were created.
 *
 * Tier 4 makes the result a superset of the reference server's: `script` still finds `TypeScript`.
 */
export function rankEntityIds(database: SqliteDatabase, query: string, options: RankingOptions = {}): number[] {
  const ranked = rankEntityTiers(database, query, options).flat();
  return options.limit === undefined ? ranked : ranked.slice(0, options.limit);
}

/**
 * The same ranking kept in its four tiers (see rankEntityIds; `limit` is not applied), for merging the rankings of
 * two databases tier by tier: bm25 scores of two databases cannot be compared, their tiers can.
 */
export function rankEntityTiers(
  database: SqliteDatabase,
  query: string,
  options: Omit<RankingOptions, 'limit'> = {},
): number[][] {
  registerSubstringFunction(database);
  const seen = new Set<number>();
  const fresh = (ids: readonly number[]): number[] =>
    ids.filter((id) => {
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  const tiers: number[][] = [[], [], [], []];
  const terms = quotedTerms(query);
  if (terms.length > 0) {
    tiers[0] = fresh(matchingIds(database, allTermsExactly(terms)));
    tiers[1] = fresh(matchingIds(database, allTermsAsPrefixes(terms)));
    const anyOf = options.skipFunctionWords
      ? quotedTerms(
          query
            .split(/\s+/u)
            .filter((word) => !FUNCTION_WORDS.has(word.toLowerCase()))
            .join(' '),
        )
      : terms;
    if (seen.size === 0 && terms.length > 1 && anyOf.length > 0)
      tiers[2] = fresh(matchingIds(database, anyTermAsPrefix(anyOf)));
  }
  tiers[3] = fresh(substringIds(database, query));
  return tiers;
}

function matchingIds(database: SqliteDatabase, expression: string): number[] {
  const ids = database
    .prepare(
      `SELECT rowid AS id FROM memory_search WHERE memory_search MATCH ?
        ORDER BY bm25(memory_search, ${columnWeights.name}, ${columnWeights.entityType}, ${columnWeights.observations}), rowid`,
    )
    .pluck()
    .all(expression);
  return entityIds.parse(ids);
}

function substringIds(database: SqliteDatabase, query: string): number[] {
  const ids = database
    .prepare(
      `SELECT e.id FROM memory_entities e
        WHERE ${substringFunction}(e.name, @query) OR ${substringFunction}(e.entity_type, @query)
           OR EXISTS (SELECT 1 FROM memory_observations o WHERE o.entity_id = e.id AND ${substringFunction}(o.content, @query))
        ORDER BY e.id`,
    )
    .pluck()
    .all({ query });
  return entityIds.parse(ids);
}

/** JavaScript's case folding (`toLowerCase`), as the reference uses: SQLite's lower() folds ASCII only. */
function registerSubstringFunction(database: SqliteDatabase): void {
  if (databasesWithFunctions.has(database)) return;
  database.function(substringFunction, { deterministic: true }, (text: unknown, needle: unknown) =>
    String(text).toLowerCase().includes(String(needle).toLowerCase()) ? 1 : 0,
  );
  databasesWithFunctions.add(database);
}

import type { GoalEvaluation } from '../phases/evaluate-phase-conditions.js';
import { searchMemoryEntities, type MemoryEntitySummary } from '../../state/memory-graph-search.js';
import type { SqliteDatabase } from '../../state/database.js';

/** A handful: the report is read at every start, and the agents can search the graph for more. */
const MAX_ENTITIES = 6;
const OBSERVATIONS_PER_ENTITY = 4;

/**
 * What the memory graph remembers that bears on the work left: entities matching the goal's name or the title of
 * a phase that is not done yet (quirks found, fixes that worked), in the workdir's graph (the state database) and,
 * when given, the user store's (lessons marked general in any workdir on this machine), read as one. None when
 * every phase is done; a user store that cannot be read leaves the workdir's, and a workdir graph that cannot be
 * read is reported, not fatal.
 */
export function findRelevantMemory(
  database: SqliteDatabase,
  goalName: string,
  evaluation: GoalEvaluation,
  userGraph?: SqliteDatabase,
): { entities: MemoryEntitySummary[]; problem?: string } {
  const openTitles = evaluation.phases.filter((phase) => phase.state !== 'done').map((phase) => phase.phase.title);
  if (openTitles.length === 0) return { entities: [] };
  const queries = [...new Set([goalName, ...openTitles])];
  const search = (databases: SqliteDatabase[]) =>
    searchMemoryEntities(databases, queries, { limit: MAX_ENTITIES, observationsPerEntity: OBSERVATIONS_PER_ENTITY });
  try {
    return { entities: search(userGraph === undefined ? [database] : [database, userGraph]) };
  } catch (error) {
    if (userGraph === undefined) return { entities: [], problem: (error as Error).message };
    try {
      return { entities: search([database]) };
    } catch (workdirError) {
      return { entities: [], problem: (workdirError as Error).message };
    }
  }
}

import { assistantTextsSince } from '../../state/assistant-texts.js';
import type { SqliteDatabase } from '../../state/database.js';

const MAX_EXPLANATION_CHARS = 1_200;

/**
 * What the agent said between a failure and now — the text of its replies in the delegation where the step failed
 * (its reasoning about the error and the change it made) — read from the run's events; undefined when it said
 * nothing or the delegation is unknown.
 */
export function agentExplanation(
  database: SqliteDatabase,
  runId: string,
  delegationId: string | null,
  since: string,
): string | undefined {
  if (delegationId === null) return undefined;
  const texts = assistantTextsSince(database, runId, delegationId, since);
  if (texts.length === 0) return undefined;
  const joined = texts.join('\n');
  return joined.length <= MAX_EXPLANATION_CHARS ? joined : `…${joined.slice(joined.length - MAX_EXPLANATION_CHARS)}`;
}

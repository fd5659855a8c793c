import type { SqliteDatabase } from '../../state/database.js';

const MAX_EXPLANATION_CHARS = 1_200;

/**
 * What the agent said between a failure and now — the text of its replies in the delegation where the step failed
 * (its reasoning about the error and the change it made) — read from the run's events; undefined when it said
 * nothing or the delegation is unknown.
 */
export function agentExplanation(database: SqliteDatabase, runId: string, delegationId: string | null, since: string): string | undefined {
  if (delegationId === null) return undefined;
  const rows = database
    .prepare(
      `SELECT json FROM events
        WHERE run_id = ? AND type = 'assistant' AND json_extract(json, '$.delegation_id') = ? AND json_extract(json, '$.timestamp') >= ?
        ORDER BY seq`,
    )
    .all(runId, delegationId, since) as Array<{ json: string }>;
  const texts = rows.flatMap((row) => {
    const event = JSON.parse(row.json) as { message?: { content?: Array<{ type: string; text?: string }> } };
    return (event.message?.content ?? []).filter((block) => block.type === 'text' && block.text?.trim()).map((block) => block.text!.trim());
  });
  if (texts.length === 0) return undefined;
  const joined = texts.join('\n');
  return joined.length <= MAX_EXPLANATION_CHARS ? joined : `…${joined.slice(joined.length - MAX_EXPLANATION_CHARS)}`;
}

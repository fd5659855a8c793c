import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

/** The part of an `assistant` event read here: its text blocks (other blocks, such as tool calls, have no text). */
const assistantEvent = z.object({
  message: z
    .object({ content: z.array(z.object({ type: z.string(), text: z.string().optional() })).optional() })
    .optional(),
});

/**
 * The text an agent replied with in one delegation since `since` (an ISO timestamp), block by block and trimmed,
 * in the order said: read from the run's `assistant` events. An event whose JSON has another shape adds nothing.
 */
export function assistantTextsSince(
  database: SqliteDatabase,
  runId: string,
  delegationId: string,
  since: string,
): string[] {
  const rows = z.array(z.string()).parse(
    database
      .prepare(
        `SELECT json FROM events
          WHERE run_id = ? AND type = 'assistant' AND json_extract(json, '$.delegation_id') = ? AND json_extract(json, '$.timestamp') >= ?
          ORDER BY seq`,
      )
      .pluck()
      .all(runId, delegationId, since),
  );
  return rows.flatMap((json) => {
    const event = assistantEvent.safeParse(JSON.parse(json));
    if (!event.success) return [];
    return (event.data.message?.content ?? []).flatMap((block) =>
      block.type === 'text' && block.text?.trim() ? [block.text.trim()] : [],
    );
  });
}

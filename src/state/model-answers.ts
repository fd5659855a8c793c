import type { SqliteDatabase } from './database.js';

/** Whether any model call completed (a model answered) at or after `since`. */
export function modelAnsweredSince(database: SqliteDatabase, since: Date): boolean {
  return (
    database
      .prepare(`SELECT 1 AS answered FROM model_calls WHERE status = 'completed' AND started_at >= ? LIMIT 1`)
      .get(since.toISOString()) !== undefined
  );
}

import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

/** The JSON text of the run's events of these types, in the order they were written. */
export function eventJsonOfTypes(database: SqliteDatabase, runId: string, types: readonly string[]): string[] {
  const rows = database
    .prepare(`SELECT json FROM events WHERE run_id = ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY seq`)
    .pluck()
    .all(runId, ...types);
  return z.array(z.string()).parse(rows);
}

/** The `seq` of the last event recorded for the run; null when it recorded none. */
export function lastEventSeq(database: SqliteDatabase, runId: string): number | null {
  return z
    .number()
    .int()
    .nullable()
    .parse(database.prepare('SELECT MAX(seq) AS seq FROM events WHERE run_id = ?').pluck().get(runId));
}

const eventRowSchema = z.object({ seq: z.number().int(), json: z.string() });
export type StoredEvent = z.infer<typeof eventRowSchema>;

/**
 * The run's events after `afterSeq`, in order, at most `limit`: what a live reader (the dashboard's event stream)
 * asks again and again as the run writes on; the primary key (run_id, seq) makes each ask an index range.
 */
export function eventsAfter(database: SqliteDatabase, runId: string, afterSeq: number, limit: number): StoredEvent[] {
  return database
    .prepare('SELECT seq, json FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(runId, afterSeq, limit)
    .map((row) => eventRowSchema.parse(row));
}

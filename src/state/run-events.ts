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

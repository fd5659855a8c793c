import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

const runRecordSchema = z.object({
  id: z.string(),
  goal_name: z.string(),
  goal_source: z.string(),
  goal_text: z.string(),
  mode: z.string(),
  status: z.string(),
  subtype: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  result: z.string().nullable(),
  settings_json: z.string(),
});

/** What a run recorded on its `runs` row: its goal, how it was set up (the settings snapshot) and how it ended. */
export type RunRecord = z.infer<typeof runRecordSchema>;

/** The run's record; undefined when the database holds no run `runId`. */
export function runRecord(database: SqliteDatabase, runId: string): RunRecord | undefined {
  const row = database
    .prepare(
      `SELECT id, goal_name, goal_source, goal_text, mode, status, subtype, exit_code, result, settings_json FROM runs WHERE id = ?`,
    )
    .get(runId);
  return row === undefined ? undefined : runRecordSchema.parse(row);
}

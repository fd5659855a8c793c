import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

/** Statuses of runs that did not reach a result by themselves: a crash leaves `running`, Ctrl-C `interrupted`. */
const UNFINISHED = ['running', 'interrupted'];
const UNFINISHED_PLACEHOLDERS = UNFINISHED.map(() => '?').join(', ');

const runId = z.string().optional();

/** The newest run that did not reach a result; undefined when every run did. */
export function newestUnfinishedRun(database: SqliteDatabase): string | undefined {
  return runId.parse(
    database
      .prepare(`SELECT id FROM runs WHERE status IN (${UNFINISHED_PLACEHOLDERS}) ORDER BY started_at DESC LIMIT 1`)
      .pluck()
      .get(...UNFINISHED),
  );
}

/** The newest unfinished run of the goal with this (stored, so scrubbed) name and text. */
export function newestUnfinishedRunOfGoal(
  database: SqliteDatabase,
  goalName: string,
  goalText: string,
): string | undefined {
  return runId.parse(
    database
      .prepare(
        `SELECT id FROM runs WHERE status IN (${UNFINISHED_PLACEHOLDERS}) AND goal_name = ? AND goal_text = ? ORDER BY started_at DESC LIMIT 1`,
      )
      .pluck()
      .get(...UNFINISHED, goalName, goalText),
  );
}

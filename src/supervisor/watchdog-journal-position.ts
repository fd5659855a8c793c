import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../state/database.js';
import { listRuns } from '../state/run-queries.js';

/** Where the newest run stood in its journal when the watchdog gave up: where a resume will start from. */
export interface JournalPosition {
  runId: string;
  status: string;
  /** The `seq` of the last event recorded for the run; null when it recorded none. */
  lastEventSeq: number | null;
  /** The state database it was read from. */
  database: string;
}

/** Reads the journal position for a crash report; undefined when there is nothing to read. May throw. */
export type JournalPositionReader = () => JournalPosition | undefined;

/**
 * A reader of the newest run in `<stateDirectory>/state.db`, opened read-only (no migration, no write, no
 * file created); undefined from the reader while the database does not exist or holds no run.
 */
export function stateJournalPositionReader(stateDirectory: string): JournalPositionReader {
  const path = join(stateDirectory, DATABASE_FILE);
  return () => {
    if (!existsSync(path)) return undefined;
    const database = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      const newest = listRuns(database, 1)[0];
      if (newest === undefined) return undefined;
      const row = database.prepare('SELECT MAX(seq) AS seq FROM events WHERE run_id = ?').get(newest.id) as
        { seq: number | null } | undefined;
      return { runId: newest.id, status: newest.status, lastEventSeq: row?.seq ?? null, database: path };
    } finally {
      database.close();
    }
  };
}

/**
 * Whether a run in `<stateDirectory>/state.db` got a model answer since a time (read-only, like the position reader):
 * what tells `--retry-outage` that a resumed worker got past the outage it stopped on.
 */
export function stateModelAnswersSince(stateDirectory: string): (sinceMs: number) => boolean {
  const path = join(stateDirectory, DATABASE_FILE);
  return (sinceMs) => {
    if (!existsSync(path)) return false;
    const database = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      const row = database
        .prepare(`SELECT 1 AS answered FROM model_calls WHERE status = 'completed' AND started_at >= ? LIMIT 1`)
        .get(new Date(sinceMs).toISOString());
      return row !== undefined;
    } finally {
      database.close();
    }
  };
}

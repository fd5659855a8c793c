import { join } from 'node:path';
import { DATABASE_FILE } from '../state/database.js';
import { modelAnsweredSince } from '../state/model-answers.js';
import { openReadOnlyDatabase } from '../state/read-only-database.js';
import { lastEventSeq } from '../state/run-events.js';
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

/** How long a read waits for the worker's write lock. */
const BUSY_TIMEOUT_MS = 5_000;

/** Reads the journal position for a crash report; undefined when there is nothing to read. May throw. */
export type JournalPositionReader = () => JournalPosition | undefined;

/**
 * A reader of the newest run in `<stateDirectory>/state.db`, opened read-only (no migration, no write, no
 * file created); undefined from the reader while the database does not exist or holds no run.
 */
export function stateJournalPositionReader(stateDirectory: string): JournalPositionReader {
  return () => {
    const database = openReadOnlyDatabase(stateDirectory, BUSY_TIMEOUT_MS);
    if (database === undefined) return undefined;
    try {
      const newest = listRuns(database, 1)[0];
      if (newest === undefined) return undefined;
      return {
        runId: newest.id,
        status: newest.status,
        lastEventSeq: lastEventSeq(database, newest.id),
        database: join(stateDirectory, DATABASE_FILE),
      };
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
  return (sinceMs) => {
    const database = openReadOnlyDatabase(stateDirectory, BUSY_TIMEOUT_MS);
    if (database === undefined) return false;
    try {
      return modelAnsweredSince(database, new Date(sinceMs));
    } finally {
      database.close();
    }
  };
}

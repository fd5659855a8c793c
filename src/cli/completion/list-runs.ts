import { openReadOnlyDatabase } from '../../state/read-only-database.js';
import { newestRunIds } from '../../state/run-queries.js';
import { locateState } from '../state-access.js';

/** How many run ids a completion offers at most, newest first. */
const MAX_RUN_IDS = 200;

/**
 * The run ids of the workdir (config.json's, or `--workdir`), newest first, then "last": what a shell offers where a
 * command takes a run. Read-only (the database is opened as it is: no migration, no write, a short busy timeout), and
 * silent: any trouble (no config, no state yet, a locked or foreign database) gives no ids rather than an error.
 */
export function completionRunIds(options: { config: string; workdir?: string }): string[] {
  try {
    const database = openReadOnlyDatabase(locateState(options).stateDirectory, 250);
    if (database === undefined) return [];
    try {
      const ids = newestRunIds(database, MAX_RUN_IDS);
      return ids.length === 0 ? [] : [...ids, 'last'];
    } finally {
      database.close();
    }
  } catch {
    return [];
  }
}

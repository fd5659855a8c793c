import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../state/database.js';
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
    const { stateDirectory } = locateState(options);
    const path = join(stateDirectory, DATABASE_FILE);
    if (!existsSync(path)) return [];
    const database = new Database(path, { readonly: true, fileMustExist: true, timeout: 250 });
    try {
      const rows = database
        .prepare('SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT ?')
        .all(MAX_RUN_IDS) as Array<{ id: string }>;
      return rows.length === 0 ? [] : [...rows.map((row) => row.id), 'last'];
    } finally {
      database.close();
    }
  } catch {
    return [];
  }
}

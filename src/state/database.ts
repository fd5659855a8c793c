import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { MIGRATIONS } from './migrations.js';

export type SqliteDatabase = Database.Database;

export const DATABASE_FILE = 'state.db';

export interface OpenDatabaseOptions {
  /**
   * Commit without fsync (`synchronous=NORMAL`) because the caller syncs the WAL itself, off the event loop
   * (a run's journal: see journal-sync.ts). Everything else commits with `synchronous=FULL`.
   */
  syncedByCaller?: boolean;
}

/**
 * Opens (creating when needed) the state database in WAL mode with full fsync on commit, foreign keys on,
 * and every migration applied. A database written by a newer mux-swarm is refused rather than misread.
 */
export function openDatabase(
  stateDirectory: string,
  fileName = DATABASE_FILE,
  options: OpenDatabaseOptions = {},
): SqliteDatabase {
  mkdirSync(stateDirectory, { recursive: true });
  const path = join(stateDirectory, fileName);
  let database: SqliteDatabase;
  try {
    database = new Database(path);
  } catch (error) {
    throw new MuxSwarmError(
      'state_open_failed',
      `cannot open the state database ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  database.pragma('journal_mode = WAL');
  database.pragma(options.syncedByCaller ? 'synchronous = NORMAL' : 'synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  migrate(database, path);
  return database;
}

function migrate(database: SqliteDatabase, path: string): void {
  const version = database.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    database.close();
    throw new MuxSwarmError(
      'state_too_new',
      `the state database ${path} has schema version ${version}, newer than this mux-swarm understands (${MIGRATIONS.length}); upgrade mux-swarm or use another --workdir`,
    );
  }
  for (let index = version; index < MIGRATIONS.length; index += 1) {
    database
      .transaction(() => {
        database.exec(MIGRATIONS[index]!);
        database.pragma(`user_version = ${index + 1}`);
      })
      .immediate();
  }
}

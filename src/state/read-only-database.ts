import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, type SqliteDatabase } from './database.js';
import { MIGRATIONS } from './migrations.js';

/**
 * The state database of `stateDirectory` opened read-only, as it is: no migration, no write, no file created; for
 * a look from outside the run that owns it (a crash report, a shell completion). Undefined while the file does not
 * exist. `busyTimeoutMs`: how long to wait for a writer's lock before a read fails.
 */
export function openReadOnlyDatabase(stateDirectory: string, busyTimeoutMs: number): SqliteDatabase | undefined {
  const path = join(stateDirectory, DATABASE_FILE);
  if (!existsSync(path)) return undefined;
  return new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
}

/**
 * Whether every migration this mux-swarm knows has been committed to `database` (its `user_version`): a reader
 * that opens the file while a run is creating it sees the tables appear one migration at a time, and a query
 * before the last one fails ("no such table", "no such column") on a database that is only being set up.
 */
export function schemaComplete(database: SqliteDatabase): boolean {
  return (database.pragma('user_version', { simple: true }) as number) >= MIGRATIONS.length;
}

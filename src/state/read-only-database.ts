import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE, type SqliteDatabase } from './database.js';

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

import { chmod, lstat, mkdir, readdir, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { fileHoldsSecret, writeScrubbedCopy } from '../../logging/scrubbed-file.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';

/**
 * Workdir files larger than this, outside the state directory, are carried as they are, unread: checkpoints, model
 * weights and datasets, which a secret does not end up in. Files of the state directory (logs, spills, job output)
 * are scanned whatever their size.
 */
export const MAX_SCANNED_BYTES = 256 * 1024 * 1024;

/** Table or column names, as SQLite's pragma tables list them. */
const names = z.array(z.string());

/**
 * Replaces the process's secrets in a copy of the state database (the export's, never the live one): every text
 * value of every ordinary table that holds one — rows written before writes were scrubbed, or by an older mux-swarm.
 * Full-text indexes follow through their triggers; secure_delete and VACUUM leave no old copy in free pages.
 */
export function scrubDatabaseCopy(file: string, scrubber: SecretScrubber): number {
  if (scrubber.size === 0) return 0;
  const database = new Database(file);
  try {
    database.pragma('secure_delete = ON');
    database.function('mux_has_secret', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' && scrubber.contains(value) ? 1 : 0,
    );
    database.function('mux_scrub', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? scrubber.text(value) : value,
    );
    const tables = names.parse(
      database
        .prepare(
          `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'`,
        )
        .pluck()
        .all(),
    );
    let changed = 0;
    database.transaction(() => {
      for (const table of tables) {
        const columns = names.parse(database.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table));
        for (const column of columns) {
          changed += database
            .prepare(
              `UPDATE ${quote(table)} SET ${quote(column)} = mux_scrub(${quote(column)}) WHERE mux_has_secret(${quote(column)})`,
            )
            .run().changes;
        }
      }
    })();
    if (changed > 0) database.exec('VACUUM');
    return changed;
  } finally {
    database.close();
  }
}

export interface StageOptions {
  workdir: string;
  /** The state directory relative to the workdir ('' when it is the workdir). */
  stateRelative: string;
  /** Workdir-relative paths the export leaves out. */
  leftOut: (path: string) => boolean;
  scrubber: SecretScrubber;
  /** Where scrubbed copies are written, at their workdir-relative paths. */
  into: string;
}

/**
 * Finds the workdir's files that hold a secret (those the export carries; see MAX_SCANNED_BYTES) and writes a
 * scrubbed copy of each under `into`, with the original's mode and times. Returns their workdir-relative paths:
 * the export carries these copies instead of the files. Files are read as bytes, so text and binary alike.
 */
export async function stageScrubbedFiles(options: StageOptions): Promise<string[]> {
  const staged: string[] = [];
  if (options.scrubber.size === 0) return staged;
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(options.workdir, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (options.leftOut(child)) continue;
      if (entry.isDirectory()) await walk(child);
      if (!entry.isFile()) continue; // links are carried as links
      const path = join(options.workdir, child);
      const info = await lstat(path);
      if (info.size > MAX_SCANNED_BYTES && !isInside(child, options.stateRelative)) continue;
      if (!(await fileHoldsSecret(path, options.scrubber))) continue;
      const copy = join(options.into, child);
      await mkdir(dirname(copy), { recursive: true });
      await writeScrubbedCopy(path, copy, options.scrubber);
      await chmod(copy, info.mode & 0o7777);
      await utimes(copy, info.atime, info.mtime);
      staged.push(child);
    }
  };
  await walk('');
  return staged;
}

function isInside(relative: string, directory: string): boolean {
  return directory === '' || relative === directory || relative.startsWith(`${directory}/`);
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

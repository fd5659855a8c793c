import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { extract } from 'tar';
import { z } from 'zod';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { DATABASE_FILE, openDatabase, type SqliteDatabase } from '../database.js';
import {
  ARCHIVE_SCHEMA_VERSION,
  archiveManifestSchema,
  DATABASE_ENTRY,
  MANIFEST_ENTRY,
  WORKDIR_PREFIX,
  type ArchiveManifest,
} from './archive-manifest.js';

/** What SQLite's integrity check returns: one row per problem, or one row saying "ok". */
const integrityRows = z.array(z.object({ integrity_check: z.string() }));

export interface ImportRunOptions {
  archive: string;
  /** Where the workdir is restored; it must not exist yet, or be empty. */
  workdir: string;
}

export interface ImportedRun {
  manifest: ArchiveManifest;
  workdir: string;
  stateDirectory: string;
}

/**
 * Restores an export archive into a new workdir: unpacks it next to the target (so a failure leaves nothing
 * half-written there), checks the manifest, puts the database copy in place as the state database, and runs
 * SQLite's integrity and foreign-key checks on it before the workdir is moved into place. Entries that would
 * land outside the target (absolute paths, `..`) are refused by the unpacker.
 */
export async function importRun(options: ImportRunOptions): Promise<ImportedRun> {
  const archive = resolve(options.archive);
  const workdir = resolve(options.workdir);
  if (!existsSync(archive)) throw new MuxSwarmError('import_archive_missing', `${archive} does not exist`);
  if (existsSync(workdir) && (await readdir(workdir)).length > 0) {
    throw new MuxSwarmError(
      'import_target_not_empty',
      `${workdir} is not empty; import into a new or empty directory (nothing was written)`,
    );
  }
  await mkdir(dirname(workdir), { recursive: true });
  const staging = await mkdtemp(join(dirname(workdir), `.${basename(workdir)}.importing-`));
  try {
    try {
      await extract({ file: archive, cwd: staging, strict: true });
    } catch (error) {
      throw new MuxSwarmError(
        'import_bad_archive',
        `${archive} could not be unpacked: ${(error as Error).message}; is it a file written by \`mux-swarm export\`?`,
        { cause: error },
      );
    }
    const manifest = await readManifest(join(staging, MANIFEST_ENTRY), archive);
    const unpackedWorkdir = join(staging, WORKDIR_PREFIX);
    await mkdir(unpackedWorkdir, { recursive: true });
    const stateRelative = manifest.stateDirectory;
    if (isAbsolute(stateRelative) || stateRelative.split(/[\\/]/).includes('..')) {
      throw new MuxSwarmError(
        'import_bad_archive',
        `${archive}: the manifest's stateDirectory "${stateRelative}" is not a path inside the workdir`,
      );
    }
    const stagedState = join(unpackedWorkdir, stateRelative);
    await mkdir(stagedState, { recursive: true });
    if (!existsSync(join(staging, DATABASE_ENTRY)))
      throw new MuxSwarmError('import_bad_archive', `${archive} holds no ${DATABASE_ENTRY}`);
    await rename(join(staging, DATABASE_ENTRY), join(stagedState, DATABASE_FILE));
    checkDatabase(stagedState, manifest, archive);

    if (existsSync(workdir)) await rm(workdir, { recursive: true });
    await rename(unpackedWorkdir, workdir);
    return { manifest, workdir, stateDirectory: join(workdir, stateRelative) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function readManifest(path: string, archive: string): Promise<ArchiveManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new MuxSwarmError(
      'import_bad_archive',
      `${archive} holds no readable ${MANIFEST_ENTRY}; is it a file written by \`mux-swarm export\`?`,
    );
  }
  const parsed = archiveManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new MuxSwarmError(
      'import_bad_archive',
      `${archive}: its ${MANIFEST_ENTRY} is not one mux-swarm wrote (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  if (parsed.data.schemaVersion > ARCHIVE_SCHEMA_VERSION) {
    throw new MuxSwarmError(
      'import_archive_too_new',
      `${archive} was written by a newer mux-swarm (${parsed.data.muxSwarmVersion}, archive version ${parsed.data.schemaVersion}); upgrade mux-swarm to import it`,
    );
  }
  return parsed.data;
}

/** Opens (and migrates) the restored database; refuses it unless integrity_check says ok and no foreign key dangles. */
function checkDatabase(stateDirectory: string, manifest: ArchiveManifest, archive: string): void {
  let database: SqliteDatabase;
  try {
    database = openDatabase(stateDirectory);
  } catch (error) {
    throw new MuxSwarmError(
      'import_integrity_failed',
      `${archive}: the state database cannot be opened: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    let integrity: Array<{ integrity_check: string }>;
    try {
      integrity = integrityRows.parse(database.pragma('integrity_check'));
    } catch (error) {
      throw new MuxSwarmError(
        'import_integrity_failed',
        `${archive}: the state database failed SQLite's integrity check: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const problems = integrity.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    if (problems.length > 0)
      throw new MuxSwarmError(
        'import_integrity_failed',
        `${archive}: the state database failed SQLite's integrity check: ${problems.slice(0, 5).join('; ')}`,
      );
    const dangling = database.pragma('foreign_key_check') as unknown[];
    if (dangling.length > 0)
      throw new MuxSwarmError(
        'import_integrity_failed',
        `${archive}: the state database has ${dangling.length} rows whose foreign keys point nowhere`,
      );
    const run = database.prepare('SELECT id FROM runs WHERE id = ?').get(manifest.runId);
    if (!run)
      throw new MuxSwarmError(
        'import_bad_archive',
        `${archive}: the database holds no run ${manifest.runId}, the one its manifest names`,
      );
  } finally {
    database.close();
  }
}

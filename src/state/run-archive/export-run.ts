import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as createTar, replace as appendToTar } from 'tar';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';
import { scrubDatabaseCopy, stageScrubbedFiles } from './archive-scrubbing.js';
import { DATABASE_FILE, openDatabase } from '../database.js';
import { getRunDetails } from '../run-queries.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_SCHEMA_VERSION,
  DATABASE_ENTRY,
  MANIFEST_ENTRY,
  WORKDIR_PREFIX,
  type ArchiveManifest,
} from './archive-manifest.js';

export interface ExportRunOptions {
  workdir: string;
  stateDirectory: string;
  runId: string;
  /** The .tar.gz to write. */
  output: string;
  muxSwarmVersion: string;
  /** Paths relative to the workdir left out (a directory leaves out everything below it), e.g. big checkpoints. */
  exclude?: string[];
  /** The process's secrets: the archive carries scrubbed copies of the database and of every file that holds one. */
  scrubber?: SecretScrubber;
}

export interface ExportedRun {
  manifest: ArchiveManifest;
  bytes: number;
}

/**
 * Writes a run's workdir to a .tar.gz that `importRun` restores elsewhere: a consistent copy of the state database
 * (SQLite's online backup, not the live file, so a run writing at the same time cannot tear it), a manifest, and
 * every file of the workdir except the live database files. Paths in the database are relative to the workdir,
 * so the run resumes wherever the archive is unpacked. With a scrubber, no secret leaves in the archive: the
 * database copy is scrubbed, and a file holding one (a job's own output log, a file a program wrote) is carried as
 * a scrubbed copy (archive-scrubbing.ts: files over MAX_SCANNED_BYTES outside the state directory excepted).
 */
export async function exportRun(options: ExportRunOptions): Promise<ExportedRun> {
  const workdir = resolve(options.workdir);
  const stateRelative = relative(workdir, resolve(options.stateDirectory));
  if (stateRelative.startsWith('..') || isAbsolute(stateRelative)) {
    throw new MuxSwarmError(
      'export_state_outside_workdir',
      `the state directory ${options.stateDirectory} is not inside the workdir ${workdir}; an export carries one directory: set stateDir to a path inside the workdir`,
    );
  }
  const staging = await mkdtemp(join(tmpdir(), 'mux-swarm-export-'));
  const uncompressed = join(staging, 'archive.tar');
  try {
    const database = openDatabase(options.stateDirectory);
    let manifest: ArchiveManifest;
    try {
      const details = getRunDetails(database, options.runId);
      if (!details)
        throw new MuxSwarmError(
          'run_not_found',
          `no run "${options.runId}" in ${join(options.stateDirectory, DATABASE_FILE)}`,
        );
      await database.backup(join(staging, DATABASE_ENTRY));
      if (options.scrubber !== undefined) scrubDatabaseCopy(join(staging, DATABASE_ENTRY), options.scrubber);
      manifest = {
        format: ARCHIVE_FORMAT,
        schemaVersion: ARCHIVE_SCHEMA_VERSION,
        runId: options.runId,
        goalName: details.run.goal_name,
        runStatus: details.run.status,
        exportedAt: new Date().toISOString(),
        muxSwarmVersion: options.muxSwarmVersion,
        sourceHostname: hostname(),
        sourceWorkdir: workdir,
        stateDirectory: stateRelative === '' ? '.' : stateRelative,
        databaseSchemaVersion: database.pragma('user_version', { simple: true }) as number,
        files: 0,
      };
    } finally {
      database.close();
    }

    const left = leftOut(workdir, stateRelative, resolve(options.output), options.exclude ?? []);
    const scrubbedDirectory = join(staging, 'scrubbed');
    const scrubbed =
      options.scrubber === undefined
        ? []
        : await stageScrubbedFiles({
            workdir,
            stateRelative: normalise(stateRelative),
            leftOut: left,
            scrubber: options.scrubber,
            into: scrubbedDirectory,
          });
    const replaced = new Set(scrubbed);
    let files = scrubbed.length;
    const filter = (path: string): boolean => {
      const keep = !left(path) && !replaced.has(normalise(path));
      if (keep) files += 1;
      return keep;
    };
    await writeFile(join(staging, MANIFEST_ENTRY), '{}');
    await createTar({ file: uncompressed, cwd: staging, portable: true }, [DATABASE_ENTRY]);
    await appendToTar({ file: uncompressed, cwd: workdir, prefix: WORKDIR_PREFIX, portable: true, filter }, ['.']);
    if (scrubbed.length > 0)
      await appendToTar(
        { file: uncompressed, cwd: scrubbedDirectory, prefix: WORKDIR_PREFIX, portable: true },
        scrubbed,
      );
    manifest.files = files;
    await writeFile(join(staging, MANIFEST_ENTRY), `${JSON.stringify(manifest, null, 2)}\n`);
    await appendToTar({ file: uncompressed, cwd: staging, portable: true }, [MANIFEST_ENTRY]);

    const output = resolve(options.output);
    const partial = join(dirname(output), `.${Date.now()}-${process.pid}.partial`);
    try {
      await pipeline(createReadStream(uncompressed), createGzip(), createWriteStream(partial));
      await rename(partial, output);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { manifest, bytes: (await stat(output)).size };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Whether an archive path (`./…` relative to the workdir) is left out: the live database, the output itself, --exclude. */
function leftOut(workdir: string, stateRelative: string, output: string, exclude: string[]): (path: string) => boolean {
  const live = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-journal`].map((name) =>
    normalise(join(stateRelative, name)),
  );
  const outputRelative = normalise(relative(workdir, output));
  const excluded = exclude.map((path) => normalise(path)).filter((path) => path !== '');
  return (path) => {
    const candidate = normalise(path);
    if (candidate === '') return false;
    if (live.includes(candidate) || candidate === outputRelative) return true;
    return excluded.some((prefix) => candidate === prefix || candidate.startsWith(`${prefix}/`));
  };
}

function normalise(path: string): string {
  return path
    .split(sep)
    .join('/')
    .replace(/^\.(\/|$)/, '')
    .replace(/\/+$/, '');
}

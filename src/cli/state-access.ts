import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { environmentSecrets } from '../logging/environment-secrets.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { DATABASE_FILE, openDatabase, type SqliteDatabase } from '../state/database.js';
import { findRunIds, listRuns } from '../state/run-queries.js';
import type { ProjectOptions } from './project.js';

export interface StateLocation {
  workdir: string;
  stateDirectory: string;
  /** The process's scrubber: what a command prints or writes of a run passes through it. */
  scrubber: SecretScrubber;
}

/**
 * The workdir and state directory from config.json when there is one, else `--workdir` (or here) and its `.mux-swarm`;
 * with the process's scrubber (config.json's, or the environment's secrets alone without one).
 */
export function locateState(options: Pick<ProjectOptions, 'config' | 'workdir'>): StateLocation {
  if (existsSync(resolve(options.config))) {
    const config = loadConfig({
      path: options.config,
      environment: process.env,
      currentDirectory: process.cwd(),
      workdirOverride: options.workdir,
    });
    return { workdir: config.workdir, stateDirectory: config.stateDirectory, scrubber: config.scrubber };
  }
  const workdir = resolve(options.workdir ?? '.');
  return {
    workdir,
    stateDirectory: join(workdir, '.mux-swarm'),
    scrubber: new SecretScrubber(environmentSecrets(process.env)),
  };
}

/** Opens the workdir's state database for `use`, and closes it after; a workdir without runs is an error that says so. */
export function withStateDatabase<T>(
  options: Pick<ProjectOptions, 'config' | 'workdir'>,
  use: (database: SqliteDatabase, location: StateLocation) => T,
): T {
  const location = locateState(options);
  if (!existsSync(join(location.stateDirectory, DATABASE_FILE))) {
    throw new MuxSwarmError(
      'no_state',
      `no runs recorded: ${join(location.stateDirectory, DATABASE_FILE)} does not exist (is this the workdir of a run? use --workdir)`,
    );
  }
  const database = openDatabase(location.stateDirectory);
  try {
    return use(database, location);
  } finally {
    database.close();
  }
}

/** A run named by its id, a unique prefix of it, or "last" (the newest). */
export function resolveRunId(database: SqliteDatabase, argument: string): string {
  if (argument === 'last') {
    const newest = listRuns(database, 1)[0];
    if (!newest) throw new MuxSwarmError('run_not_found', 'no runs recorded yet');
    return newest.id;
  }
  const matches = findRunIds(database, argument);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new MuxSwarmError('run_not_found', `no run "${argument}"; see \`mux-swarm runs\``);
  throw new MuxSwarmError(
    'run_ambiguous',
    `"${argument}" matches ${matches.length} runs (${matches.slice(0, 5).join(', ')}…); give more of the id`,
  );
}

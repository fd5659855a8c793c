import type { Goal } from '../config/load-goal.js';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from '../state/database.js';
import { runRecord } from '../state/run-record.js';
import { newestUnfinishedRun, newestUnfinishedRunOfGoal } from '../state/unfinished-runs.js';
import { resolveRunId } from './state-access.js';

/** Which run `run`/`resume` drives: the unfinished run of the same goal, a new one, or a named one. */
export type RunChoice = { kind: 'auto' } | { kind: 'fresh' } | { kind: 'named'; run: string | undefined };

export interface PickedRun {
  /** Undefined: start a new run. */
  resumeRunId: string | undefined;
}

/**
 * `auto` (plain `mux-swarm run goal.md`): the newest unfinished run of this very goal (same name and text) in this
 * workdir is resumed, else a new run starts. `fresh`: always a new run. `named`: that run (an id, a prefix or
 * "last"; without one, the newest unfinished run), which must not have succeeded already.
 */
export function pickRun(database: SqliteDatabase, choice: RunChoice, goal: Goal, scrubber: SecretScrubber): PickedRun {
  if (choice.kind === 'fresh') return { resumeRunId: undefined };
  if (choice.kind === 'auto') {
    return { resumeRunId: newestUnfinishedRunOfGoal(database, scrubber.text(goal.name), scrubber.text(goal.text)) };
  }
  return { resumeRunId: resumableRun(database, choice.run) };
}

/** The run `resume` continues: the one named (id, prefix or "last"), or the newest unfinished one; never a success. */
export function resumableRun(database: SqliteDatabase, run: string | undefined): string {
  if (run === undefined) {
    const newest = newestUnfinishedRun(database);
    if (newest === undefined)
      throw new MuxSwarmError(
        'nothing_to_resume',
        'no unfinished run in this workdir (every run reached a result); see `mux-swarm runs`, or name one: mux-swarm resume <run>',
      );
    return newest;
  }
  const runId = resolveRunId(database, run);
  if (runRecord(database, runId)?.status === 'succeeded')
    throw new MuxSwarmError(
      'run_already_succeeded',
      `run ${runId} already succeeded; there is nothing to resume (start a new one with mux-swarm run --fresh)`,
    );
  return runId;
}

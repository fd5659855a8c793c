import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Goal } from '../../config/load-goal.js';
import type { RunRecord } from '../../state/run-record.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import { addRunOptions, reportEarlyFailure, startRun, type RunLaunchOptions } from './run-command.js';

/**
 * `mux-swarm resume [run]`: picks up a run that did not finish (crash, Ctrl-C, a limit) where its journal stops.
 * The goal is the one the run recorded; its file is read again (for front-matter limits) when it still says
 * the same thing.
 */
export function registerResumeCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('resume')
    .description('continue a run that did not finish where its journal stops: finished work is not redone')
    .argument('[run]', 'run id, a unique prefix of one, or "last"; default: the newest unfinished run');
  addRunOptions(command);
  addProjectOptions(command).action(async (runArgument: string | undefined, options: RunLaunchOptions) => {
    outcome.reportFailure = (error, usage) => reportEarlyFailure(options.outputFormat, error, usage);
    const [{ withStateDatabase }, { resumableRun }, { runRecord }, goals] = await Promise.all([
      import('../state-access.js'),
      import('../run-choice.js'),
      import('../../state/run-record.js'),
      import('../../config/load-goal.js'),
    ]);
    const { runId, goal } = withStateDatabase(options, (database) => {
      const id = resumableRun(database, runArgument);
      return { runId: id, goal: recordedGoal(runRecord(database, id)!, goals) };
    });
    outcome.exitCode = await startRun(goal, options, { kind: 'named', run: runId });
  });
}

/** The goal a run recorded; its file when that still holds the same text (so its front matter applies again). */
function recordedGoal(
  row: Pick<RunRecord, 'goal_name' | 'goal_source' | 'goal_text'>,
  { loadGoalFile, parseGoal }: typeof import('../../config/load-goal.js'),
): Goal {
  const file = resolve(row.goal_source);
  if (existsSync(file)) {
    try {
      const fromFile = loadGoalFile(file, process.cwd());
      if (fromFile.text === row.goal_text) return { ...fromFile, name: row.goal_name };
    } catch {
      // the file changed into something unreadable: the recorded text is the goal
    }
  }
  return { ...parseGoal(row.goal_text, row.goal_source, row.goal_name), name: row.goal_name };
}

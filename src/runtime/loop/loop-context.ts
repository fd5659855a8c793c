import { realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { GoalLoop } from '../../config/goal-loop.js';
import { RUNTIME_AGENT } from '../../events/event-schema.js';
import { resultsLogPath } from '../../state/experiment-results.js';
import type { RunContext } from '../run-context.js';
import { GitWorkdir } from './git-workdir.js';

/** What every step of the loop works with. */
export interface LoopContext {
  run: RunContext;
  loop: GoalLoop;
  git: GitWorkdir;
  workdirRealPath: string;
  /** Workdir paths never committed nor counted as an experiment's change: the state directory (when inside) and the metric's file. */
  excluded: string[];
  resultsPath: string;
  /** Where each run of the loop's command writes its output (`baseline-1.log`, `iteration-3.log`). */
  commandLogDirectory: string;
}

/**
 * Opens the loop's workdir as a git repository (created, with a first commit, when it is not one: announced as
 * a warning), with the state directory and the metric file in `.git/info/exclude`.
 */
export async function openLoopContext(run: RunContext, loop: GoalLoop): Promise<LoopContext> {
  const { workdir, runDirectory } = run.dependencies;
  const workdirRealPath = await realpath(workdir);
  const stateDirectory = await realpath(resolve(runDirectory, '..', '..')).catch(() =>
    resolve(runDirectory, '..', '..'),
  );
  const stateInside = relative(workdirRealPath, stateDirectory);
  const excluded = [
    ...(stateInside && !stateInside.startsWith('..') && !isAbsolute(stateInside) ? [stateInside] : []),
    loop.metric.from.path,
  ];
  const { git, created } = await GitWorkdir.open(workdirRealPath, { excluded });
  if (created) {
    run.events.emit({
      type: 'system',
      subtype: 'warning',
      agent: RUNTIME_AGENT,
      message: `the workdir ${workdir} was not a git repository: the experiment loop created one and committed what was there (commit ${(await git.head())!.slice(0, 7)}); ${excluded.join(' and ')} are left out through .git/info/exclude`,
    });
  }
  return {
    run,
    loop,
    git,
    workdirRealPath,
    excluded,
    resultsPath: resultsLogPath(runDirectory),
    commandLogDirectory: join(runDirectory, 'loop'),
  };
}

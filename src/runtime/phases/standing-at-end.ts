import type { PhaseStanding } from '../../events/event-schema.js';
import type { RunContext } from '../run-context.js';
import { evaluateGoalPhases, type GoalEvaluation } from './evaluate-phase-conditions.js';
import { phaseStanding } from './phase-standing.js';

/** A run that was stopped (Ctrl-C, a limit) waits this long at most for its end-of-run check: the person wants out. */
const STOPPED_RUN_CHECK_MS = 15_000;

/**
 * The goal's phase standing as the run ends, whatever ended it: the evaluation that just accepted a success (or found
 * every phase done at the start) when there is one, else every condition checked now. A run that was stopped gives its
 * commands at most 15 s: conditions not evaluated by then count as not met. Undefined only when the check itself failed.
 */
export async function standingAtEnd(
  run: RunContext,
  options: { succeeded: boolean; atStart?: GoalEvaluation | undefined },
): Promise<PhaseStanding | undefined> {
  const latest = run.latestGoalEvaluation;
  if (options.succeeded && latest?.allDone) return phaseStanding(latest);
  if (options.succeeded && options.atStart) return phaseStanding(options.atStart);
  const { goal, workdir } = run.dependencies;
  const controller = new AbortController();
  const timer = run.stopError ? setTimeout(() => controller.abort(), STOPPED_RUN_CHECK_MS) : undefined;
  timer?.unref();
  try {
    return phaseStanding(await evaluateGoalPhases(goal.phases, { workdir, signal: controller.signal }));
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

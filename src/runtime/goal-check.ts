import type { GoalCheck } from './complete-tool.js';
import { evaluateGoalPhases } from './phases/evaluate-phase-conditions.js';
import { describeUnmetConditions, hasCheckedPhases } from './phases/phase-standing.js';
import type { RunContext } from './run-context.js';

/**
 * The check behind a claim of success that ends the goal: every phase's "Done when" conditions, evaluated in the
 * workdir now (the same evaluation as `mux-swarm goal check`). Undefined for a goal without conditions: its
 * completion is judged by its artifacts alone, as before.
 */
export function goalCheckFor(run: RunContext): GoalCheck | undefined {
  const { goal, workdir } = run.dependencies;
  if (!hasCheckedPhases(goal.phases)) return undefined;
  return async () => {
    const evaluation = await evaluateGoalPhases(goal.phases, { workdir, signal: run.signal });
    run.throwIfStopped();
    run.latestGoalEvaluation = evaluation;
    return describeUnmetConditions(goal.label, evaluation);
  };
}

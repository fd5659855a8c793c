import { existsSync } from 'node:fs';
import { parseGoal } from '../../config/load-goal.js';
import { evaluateGoalPhases, type GoalEvaluation } from '../../runtime/phases/evaluate-phase-conditions.js';
import type { ReportData } from './report-data.js';

/** The goal's phases checked when the report is made, in the run's workdir. */
export interface GoalCheckNow {
  evaluation: GoalEvaluation;
  checkedAt: string;
}

/**
 * Checks the run's goal (its text as recorded, parsed again) in `workdir` now, as `mux-swarm goal check` would: the
 * report tells where the goal stands when it is read, not where it stood when a session started. Undefined when there
 * is no workdir to check or the recorded goal no longer parses.
 */
export async function checkGoalNow(data: ReportData, workdir: string | undefined): Promise<GoalCheckNow | undefined> {
  if (workdir === undefined || !existsSync(workdir)) return undefined;
  let phases;
  try {
    // Blank lines in front put each condition on the line it had in the goal file.
    phases = parseGoal(`${'\n'.repeat(data.goalTextLine - 1)}${data.run.goal_text}`, data.run.goal_source).phases;
  } catch {
    return undefined;
  }
  const checkedAt = new Date().toISOString();
  return { evaluation: await evaluateGoalPhases(phases, { workdir }), checkedAt };
}

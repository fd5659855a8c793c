import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GoalCondition } from '../../config/goal-phases-condition.js';
import type { GoalPhase } from '../../config/goal-phases.js';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import { DEFAULT_CONDITION_COMMAND_TIME_LIMIT_MS } from './condition-command.js';
import type { ConditionResult } from './condition-result.js';
import { evaluateCondition, type ConditionContext } from './evaluate-condition.js';

/** done: every condition holds; not-done: one does not; unchecked: the phase has no "Done when" list. */
export type PhaseState = 'done' | 'not-done' | 'unchecked';

export interface ConditionEvaluation extends ConditionResult {
  condition: GoalCondition;
}

export interface PhaseEvaluation {
  phase: GoalPhase;
  state: PhaseState;
  /** One entry per condition, in the order of the list: every condition is checked, met or not. */
  conditions: ConditionEvaluation[];
  /** The first condition that does not hold; absent when the phase is done or unchecked. */
  firstUnmet?: ConditionEvaluation;
}

export interface GoalEvaluation {
  /** Absolute workdir the conditions were checked in. */
  workdir: string;
  phases: PhaseEvaluation[];
  /** Whether every phase that has conditions is done (true when no phase has any). */
  allDone: boolean;
}

export interface EvaluatePhasesOptions {
  /** Paths in conditions are relative to it and may not lead outside it; commands run in it. */
  workdir: string;
  /** Stops running commands (their process groups are killed); conditions not reached yet are unmet. */
  signal?: AbortSignal;
  /** Environment of condition commands; default: the minimal one of buildChildEnvironment(). */
  environment?: Record<string, string>;
  /** Time limit of commands without "within …"; default 2 minutes. */
  commandTimeLimitMs?: number;
}

/**
 * Checks every condition of every phase, in order, and never stops at a phase that is not done: the report
 * shows them all. Conditions run one at a time (commands may depend on the same files).
 */
export async function evaluateGoalPhases(
  phases: readonly GoalPhase[],
  options: EvaluatePhasesOptions,
): Promise<GoalEvaluation> {
  const context = await createConditionContext(options);
  const evaluations: PhaseEvaluation[] = [];
  for (const phase of phases) evaluations.push(await evaluatePhaseIn(phase, context));
  return {
    workdir: context.workdir,
    phases: evaluations,
    allDone: evaluations.every((evaluation) => evaluation.state !== 'not-done'),
  };
}

/** Checks the conditions of one phase (all of them, also after one fails). */
export async function evaluatePhase(phase: GoalPhase, options: EvaluatePhasesOptions): Promise<PhaseEvaluation> {
  return evaluatePhaseIn(phase, await createConditionContext(options));
}

async function evaluatePhaseIn(phase: GoalPhase, context: ConditionContext): Promise<PhaseEvaluation> {
  const conditions: ConditionEvaluation[] = [];
  for (const condition of phase.conditions)
    conditions.push({ condition, ...(await evaluateCondition(condition, context)) });
  const firstUnmet = conditions.find((evaluation) => !evaluation.met);
  const state: PhaseState = conditions.length === 0 ? 'unchecked' : firstUnmet ? 'not-done' : 'done';
  return firstUnmet ? { phase, state, conditions, firstUnmet } : { phase, state, conditions };
}

async function createConditionContext(options: EvaluatePhasesOptions): Promise<ConditionContext> {
  const workdir = resolve(options.workdir);
  let workdirRealPath: string | undefined;
  try {
    workdirRealPath = await realpath(workdir);
  } catch {
    workdirRealPath = undefined;
  }
  return {
    workdir,
    workdirRealPath,
    environment: options.environment ?? buildChildEnvironment(),
    commandTimeLimitMs: options.commandTimeLimitMs ?? DEFAULT_CONDITION_COMMAND_TIME_LIMIT_MS,
    signal: options.signal,
  };
}

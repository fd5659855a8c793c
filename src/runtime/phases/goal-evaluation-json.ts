import type { GoalCondition } from '../../config/goal-phases-condition.js';
import type { GoalEvaluation, PhaseState } from './evaluate-phase-conditions.js';

export const GOAL_CHECK_SCHEMA_VERSION = 1;

/** One condition as `goal check --json` prints it. */
export interface ConditionJson {
  line: number;
  text: string;
  kind: GoalCondition['kind'];
  met: boolean;
  detail: string;
}

/** The stable machine-readable shape of a goal check (`mux-swarm goal check --json`). */
export interface GoalCheckJson {
  schemaVersion: typeof GOAL_CHECK_SCHEMA_VERSION;
  goal: { label: string; name: string };
  workdir: string;
  /** Every phase with conditions is done. */
  allDone: boolean;
  counts: { done: number; notDone: number; unchecked: number };
  phases: Array<{
    number: number;
    title: string;
    /** Line of the heading; null for the implicit phase of a goal without phase headings. */
    line: number | null;
    state: PhaseState;
    conditions: ConditionJson[];
    firstUnmet: ConditionJson | null;
  }>;
}

export function goalEvaluationToJson(goal: { label: string; name: string }, evaluation: GoalEvaluation): GoalCheckJson {
  const count = (state: PhaseState) => evaluation.phases.filter((phase) => phase.state === state).length;
  return {
    schemaVersion: GOAL_CHECK_SCHEMA_VERSION,
    goal: { label: goal.label, name: goal.name },
    workdir: evaluation.workdir,
    allDone: evaluation.allDone,
    counts: { done: count('done'), notDone: count('not-done'), unchecked: count('unchecked') },
    phases: evaluation.phases.map(({ phase, state, conditions, firstUnmet }) => {
      const toJson = ({ condition, met, detail }: (typeof conditions)[number]): ConditionJson => ({
        line: condition.line,
        text: condition.text,
        kind: condition.kind,
        met,
        detail,
      });
      return {
        number: phase.number,
        title: phase.title,
        line: phase.line ?? null,
        state,
        conditions: conditions.map(toJson),
        firstUnmet: firstUnmet ? toJson(firstUnmet) : null,
      };
    }),
  };
}

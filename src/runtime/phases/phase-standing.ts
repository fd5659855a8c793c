import type { PhaseReportEvent, PhaseStanding } from '../../events/event-schema.js';
import type { GoalEvaluation, PhaseEvaluation } from './evaluate-phase-conditions.js';

/**
 * Where a goal stands, in the few numbers every outcome carries (the `result` event, `runs`, `show`, the report):
 * phases done of all phases, how many cannot be checked, and the first condition that does not hold.
 */
export function phaseStanding(evaluation: GoalEvaluation): PhaseStanding {
  const firstNotDone = evaluation.phases.find((phase) => phase.firstUnmet !== undefined);
  const unmet = firstNotDone?.firstUnmet;
  return {
    done: evaluation.phases.filter((phase) => phase.state === 'done').length,
    total: evaluation.phases.length,
    unchecked: evaluation.phases.filter((phase) => phase.state === 'unchecked').length,
    first_unmet:
      firstNotDone && unmet
        ? {
            phase: firstNotDone.phase.number,
            title: firstNotDone.phase.title,
            line: unmet.condition.line,
            text: unmet.condition.text,
            detail: firstLine(unmet.detail),
          }
        : null,
  };
}

/** Each phase's state and first unmet condition, as the `phase-report` event carries them (and the report tables them). */
export function phaseEntries(evaluation: GoalEvaluation): PhaseReportEvent['phases'] {
  return evaluation.phases.map((phase) => ({
    number: phase.phase.number,
    title: phase.phase.title,
    state: phase.state,
    ...(phase.firstUnmet
      ? {
          first_unmet: {
            line: phase.firstUnmet.condition.line,
            text: phase.firstUnmet.condition.text,
            detail: phase.firstUnmet.detail,
          },
        }
      : {}),
  }));
}

/** Whether the goal has any "Done when" condition at all: only then can the runtime judge a claim of success. */
export function hasCheckedPhases(phases: ReadonlyArray<{ conditions: readonly unknown[] }>): boolean {
  return phases.some((phase) => phase.conditions.length > 0);
}

/** Most unmet conditions listed when a completion is refused; the rest are counted. */
const LISTED_UNMET = 6;

/**
 * What an agent that claimed success is told when the goal's checks say otherwise: each condition that does not
 * hold, with its phase, its line in the goal file and what was found, e.g.
 * `phase 2 (Run it), goal.md line 24: \`fizzbuzz.txt\` has exactly 30 lines — fizzbuzz.txt: 29 lines (exactly 30 expected)`.
 */
export function describeUnmetConditions(goalLabel: string, evaluation: GoalEvaluation): string[] {
  const unmet = evaluation.phases.flatMap((phase) =>
    phase.conditions.filter((condition) => !condition.met).map((condition) => ({ phase, condition })),
  );
  const lines = unmet
    .slice(0, LISTED_UNMET)
    .map(
      ({ phase, condition }) =>
        `${phaseName(phase)}, ${goalLabel} line ${condition.condition.line}: ${condition.condition.text} — ${firstLine(condition.detail)}`,
    );
  if (unmet.length > LISTED_UNMET) lines.push(`… and ${unmet.length - LISTED_UNMET} more`);
  return lines;
}

function phaseName(phase: PhaseEvaluation): string {
  return `phase ${phase.phase.number} (${phase.phase.title})`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

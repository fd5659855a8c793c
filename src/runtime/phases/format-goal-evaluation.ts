import type { ConditionEvaluation, GoalEvaluation, PhaseEvaluation, PhaseState } from './evaluate-phase-conditions.js';

const PHASE_MARKS: Record<PhaseState, string> = { done: '✓', 'not-done': '✗', unchecked: '–' };
const STATE_WORDS: Record<PhaseState, string> = { done: 'done', 'not-done': 'not done', unchecked: 'unchecked' };

/**
 * A goal check for a person (`mux-swarm goal check`, and the recovery report): each phase with ✓ done,
 * ✗ not done or – unchecked, each condition met or not with what was found, then a summary line that
 * names the first condition that does not hold.
 */
export function formatGoalEvaluation(goal: { label: string; name: string }, evaluation: GoalEvaluation): string {
  const lines = [`Goal: ${goal.name} (${goal.label})`, `Workdir: ${evaluation.workdir}`, ''];
  for (const phase of evaluation.phases) lines.push(...formatPhase(phase));
  lines.push('', summarize(goal, evaluation));
  return `${lines.join('\n')}\n`;
}

function formatPhase(evaluation: PhaseEvaluation): string[] {
  const { phase, state } = evaluation;
  let why = '';
  if (state === 'unchecked') {
    why =
      phase.line === undefined ? ' (no "## Phase N: title" headings, so nothing to check)' : ' (no "Done when" list)';
  }
  const lines = [`${PHASE_MARKS[state]} Phase ${phase.number}: ${phase.title} — ${STATE_WORDS[state]}${why}`];
  for (const condition of evaluation.conditions) lines.push(formatCondition(condition));
  return lines;
}

function formatCondition({ condition, met, detail }: ConditionEvaluation): string {
  const [first, ...rest] = detail.split('\n');
  return [`    ${met ? '✓' : '✗'} ${condition.text} — ${first ?? ''}`, ...rest.map((line) => `        ${line}`)].join(
    '\n',
  );
}

function summarize(goal: { label: string }, evaluation: GoalEvaluation): string {
  const count = (state: PhaseState) => evaluation.phases.filter((phase) => phase.state === state).length;
  const total = evaluation.phases.length;
  const parts = [`${count('done')} of ${total} phase${total === 1 ? '' : 's'} done`];
  if (count('not-done') > 0) parts.push(`${count('not-done')} not done`);
  if (count('unchecked') > 0) parts.push(`${count('unchecked')} unchecked`);
  const summary = `${parts.join(', ')}.`;
  const firstNotDone = evaluation.phases.find((phase) => phase.firstUnmet !== undefined);
  const unmet = firstNotDone?.firstUnmet;
  if (!firstNotDone || !unmet) return summary;
  const detail = unmet.detail.split('\n')[0] ?? '';
  return `${summary}\nFirst unmet condition: phase ${firstNotDone.phase.number}, ${goal.label} line ${unmet.condition.line}: ${unmet.condition.text} — ${detail}`;
}

import type { MemoryEntitySummary } from '../../state/memory-graph-search.js';
import type { ConditionEvaluation, GoalEvaluation, PhaseEvaluation } from '../phases/evaluate-phase-conditions.js';
import type { JournalRecovery } from './journal-recovery.js';
import { clipText, gist, oneLine } from './report-text.js';
import type { OpenFailedStep } from '../../state/failure-steps.js';

/** Everything a recovery report says, gathered at the start of a session. */
export interface RecoveryReportContent {
  goal: { name: string; label: string };
  runId: string;
  /** 1 for a new run, 2 for its first resume, … */
  session: number;
  resumed: boolean;
  checkedAt: string;
  evaluation: GoalEvaluation;
  /** Every phase is done by its checks: the run ends without calling a model. */
  goalComplete: boolean;
  /** Present for a resumed run. */
  journal?: JournalRecovery;
  memory: { entities: MemoryEntitySummary[]; problem?: string };
  /** Steps of this run that failed and have not succeeded since (resumed runs). */
  openFailures?: OpenFailedStep[];
}

const MARKS = { done: '✓', 'not-done': '✗', unchecked: '–' } as const;
const MAX_DETAIL_LINES = 6;
const MAX_LINE = 300;
const MAX_FINISHED = 20;

/**
 * The report as markdown: phases with the evidence of their checks, what to do next, what the journal says
 * (resumed runs), what the memory graph remembers, and how to go on. Agents read it first; people read the file.
 */
export function formatRecoveryReport(content: RecoveryReportContent): string {
  const sections = [header(content), phasesSection(content.evaluation), nextSection(content)];
  if (content.journal) sections.push(journalSection(content.journal));
  if (content.openFailures && content.openFailures.length > 0) sections.push(openFailuresSection(content.openFailures));
  const memory = memorySection(content.memory);
  if (memory) sections.push(memory);
  sections.push(guidance(content));
  return `${sections.join('\n\n')}\n`;
}

function header({ goal, runId, session, resumed, checkedAt, evaluation }: RecoveryReportContent): string {
  const start = resumed ? `session ${session}, resumed after a stop` : 'a new run';
  return `# Recovery report: ${goal.name}\n\nRun ${runId}, ${start}. Checked ${checkedAt} in ${evaluation.workdir} against ${goal.label}.`;
}

function phasesSection(evaluation: GoalEvaluation): string {
  const lines = ['## Phases'];
  if (!evaluation.phases.some((phase) => phase.conditions.length > 0)) {
    lines.push(
      'This goal has no `## Phase N: title` sections with "Done when" checks, so nothing can be checked: go by the journal and the goal.',
    );
    return lines.join('\n');
  }
  for (const phase of evaluation.phases) lines.push(...formatPhase(phase));
  return lines.join('\n');
}

function formatPhase(evaluation: PhaseEvaluation): string[] {
  const { phase, state } = evaluation;
  const heading = `Phase ${phase.number}: ${phase.title}`;
  if (state === 'unchecked')
    return [`- ${MARKS.unchecked} ${heading} — unchecked (no "Done when" list): nothing shows whether it is done`];
  const lines = [`- ${MARKS[state]} ${heading} — ${state === 'done' ? 'done; evidence:' : 'not done'}`];
  for (const condition of evaluation.conditions) lines.push(formatCondition(condition));
  return lines;
}

function formatCondition({ condition, met, detail }: ConditionEvaluation): string {
  const [first = '', ...rest] = detail.split('\n');
  const shown = rest.slice(-MAX_DETAIL_LINES).map((line) => `      ${clipText(line, MAX_LINE)}`);
  return [`  - ${met ? '✓' : '✗'} ${condition.text} — ${clipText(first, MAX_LINE)}`, ...shown].join('\n');
}

function nextSection({ goal, evaluation, goalComplete }: RecoveryReportContent): string {
  const title = '## Next';
  if (goalComplete)
    return `${title}\nNothing: every phase is done by its checks. The run ends here, without calling a model.`;
  const firstNotDone = evaluation.phases.find((phase) => phase.firstUnmet !== undefined);
  const unmet = firstNotDone?.firstUnmet;
  if (firstNotDone && unmet) {
    return (
      `${title}\nPhase ${firstNotDone.phase.number}: ${firstNotDone.phase.title}. First unmet condition (${goal.label} line ${unmet.condition.line}): ` +
      `${unmet.condition.text} — ${clipText(oneLine(unmet.detail), MAX_LINE)}`
    );
  }
  const unchecked = evaluation.phases.filter((phase) => phase.state === 'unchecked');
  if (unchecked.length === evaluation.phases.length)
    return `${title}\nThe goal, from where the journal says the work stopped.`;
  return `${title}\nEvery phase with checks is done. Left: ${unchecked.map((phase) => `Phase ${phase.phase.number}: ${phase.phase.title}`).join(', ')} (unchecked: do it unless the journal shows it finished).`;
}

function journalSection({ finished, inFlight, cutOff }: JournalRecovery): string {
  const lines = ['## Journal (before the restart)'];
  if (finished.length === 0 && inFlight.length === 0 && cutOff.length === 0) {
    lines.push('Nothing was recorded before the restart.');
    return lines.join('\n');
  }
  if (finished.length > 0) {
    lines.push('', 'Finished delegations (their recorded outcome is given back; they are not worked again):');
    const shown = finished.slice(-MAX_FINISHED);
    if (shown.length < finished.length)
      lines.push(`- … ${finished.length - shown.length} earlier ones (see \`mux-swarm show\`)`);
    for (const delegation of shown) {
      const files = delegation.artifacts.length > 0 ? ` (files: ${delegation.artifacts.join(', ')})` : '';
      lines.push(
        `- ${delegation.id} ${delegation.agent} — ${delegation.status}: ${clipText(oneLine(delegation.summary), MAX_LINE)}${files}`,
      );
    }
  }
  if (inFlight.length > 0) {
    lines.push('', 'In flight (each continues from its transcript):');
    for (const delegation of inFlight) {
      const task = delegation.depth === 0 ? 'the goal' : `"${clipText(oneLine(gist(delegation.task)), 160)}"`;
      lines.push(`- ${delegation.id} ${delegation.agent}, working on ${task} — last step: ${delegation.lastStep}`);
    }
  }
  if (cutOff.length > 0) {
    lines.push(
      '',
      'Tool calls cut off (started, no outcome recorded; only read-only or idempotent ones are run again — check the effects of the others before repeating them):',
    );
    for (const call of cutOff)
      lines.push(
        `- ${call.id} ${call.agent}, turn ${call.turn}: ${call.name} ${clipText(oneLine(call.arguments), 160)}`,
      );
  }
  return lines.join('\n');
}

function openFailuresSection(failures: NonNullable<RecoveryReportContent['openFailures']>): string {
  const lines = [
    '## Failures not fixed yet',
    'Steps of this run that failed and have not succeeded since (failure memory: `mux-swarm memory show <fingerprint>`):',
  ];
  for (const failure of failures.slice(-MAX_FINISHED)) {
    const error =
      failure.type === null ? 'an error' : `${failure.type}${failure.message ? `: ${oneLine(failure.message)}` : ''}`;
    const known = failure.fixes > 0 ? ` — ${failure.fixes} known fix${failure.fixes === 1 ? '' : 'es'}` : '';
    lines.push(
      `- \`${clipText(failure.stepKey, 120)}\` failed at ${failure.failedAt} with ${clipText(error, MAX_LINE)} (fingerprint ${failure.fingerprint})${known}`,
    );
  }
  return lines.join('\n');
}

function memorySection({ entities, problem }: RecoveryReportContent['memory']): string | undefined {
  if (problem) return `## Memory\nThe memory graph could not be read: ${problem}`;
  if (entities.length === 0) return undefined;
  const lines = [
    '## Memory',
    'What the memory graph remembers about this goal and the phases left (search it for more):',
  ];
  for (const entity of entities) {
    const more = entity.moreObservations > 0 ? ` (+${entity.moreObservations} older)` : '';
    const observations = entity.observations.map((observation) => clipText(oneLine(observation), 240)).join('; ');
    lines.push(`- ${entity.name} (${entity.entityType}): ${observations || 'no observations'}${more}`);
  }
  return lines.join('\n');
}

function guidance({ evaluation, goalComplete }: RecoveryReportContent): string {
  if (goalComplete) return '## How to go on\nNothing is left to do.';
  const done = evaluation.phases.filter((phase) => phase.state === 'done').map((phase) => phase.phase.number);
  const rules = ['## How to go on'];
  if (done.length > 0)
    rules.push(
      `- Phase${done.length === 1 ? '' : 's'} ${done.join(', ')} ${done.length === 1 ? 'is' : 'are'} done: ${done.length === 1 ? 'its' : 'their'} checks hold now. Do not redo ${done.length === 1 ? 'it' : 'them'} and do not delegate ${done.length === 1 ? 'it' : 'them'} again; build on ${done.length === 1 ? 'its' : 'their'} files.`,
    );
  rules.push('- Start from "Next" above. Work already recorded in the journal is not repeated.');
  return rules.join('\n');
}

import type { GoalLoop } from '../../config/goal-loop.js';
import { COMPLETE_TOOL_NAME } from '../complete-tool.js';
import type { ExperimentResults } from '../../state/experiment-results.js';
import { clipText, oneLine } from '../recovery/report-text.js';
import { formatMetric } from './keep-decision.js';
import type { LoopStanding } from './loop-standing.js';

/** How the orchestrator states its hypothesis: the first summary line that starts with this word. */
const HYPOTHESIS_LINE = /^\s*(?:[-*]\s*)?\**hypothesis\**\s*:\**\s*(.+)$/im;
const MAX_HYPOTHESIS = 200;
/** Rows of the history table the orchestrator sees (the newest). */
const MAX_HISTORY_ROWS = 30;

/** Further changes an iteration's summary proposes for other nodes: `Also try: …` lines. */
const ALSO_TRY_LINE = /^\s*(?:[-*]\s*)?\**also try\**\s*:\**\s*(.+)$/gim;
const MAX_PROPOSALS = 5;

/** The changes an iteration's summary proposes besides its own (`Also try: …`), at most five. */
export function proposalsOf(summary: string): string[] {
  return [...summary.matchAll(ALSO_TRY_LINE)]
    .map((match) => clipText(oneLine(match[1]!), MAX_HYPOTHESIS))
    .filter(Boolean)
    .slice(0, MAX_PROPOSALS);
}

/** The hypothesis an iteration's summary states (`Hypothesis: …`), else its first line. */
export function hypothesisOf(summary: string): string {
  const stated = HYPOTHESIS_LINE.exec(summary)?.[1];
  const line = stated ?? summary.split('\n').find((text) => text.trim() !== '') ?? '';
  return clipText(oneLine(line), MAX_HYPOTHESIS) || '(no hypothesis stated)';
}

/** Where the metric comes from, in words. */
export function describeMetricSource(loop: GoalLoop): string {
  const from = loop.metric.from;
  return from.kind === 'json'
    ? `field \`${from.field}\` of \`${from.path}\``
    : `the last match of \`/${from.regex}/\` in \`${from.path}\``;
}

/**
 * The orchestrator's task for one iteration: the loop's rules, where it stands, the history of the metric, what
 * the previous iteration did and how it was judged, and the request for ONE change with its hypothesis.
 */
export function iterationTask(options: {
  iteration: number;
  goalName: string;
  goalText: string;
  loop: GoalLoop;
  standing: LoopStanding;
  results: ExperimentResults;
  /** Shared with other nodes (run --hub): the orchestrator may propose more changes for them. */
  sharing?: boolean;
  /** A change another node proposed, to make in this iteration. */
  suggestion?: { hypothesis: string; from: string };
}): string {
  const { iteration, loop, standing, results } = options;
  const metric = `${loop.metric.name} (${loop.metric.direction} is better)`;
  const sections = [
    `# Goal: ${options.goalName}\n\n${options.goalText}`,
    `## Experiment loop: iteration ${iteration}`,
    [
      `This goal runs as a loop of experiments judged by one metric: ${metric}, read from ${describeMetricSource(loop)}.`,
      loop.command
        ? `After your change mux-swarm itself runs \`${loop.command}\` in the workdir and reads the metric: do not run it as your last step.`
        : `mux-swarm reads the metric after this iteration: run the experiment yourself after your change, so that it holds the new value.`,
      'The workdir is a git repository whose HEAD is the best version so far. mux-swarm commits your change, measures it, and keeps it only if it beats the best by more than the margin; otherwise it reverts it. Do not commit, revert or reset yourself.',
      loop.paths
        ? `You may change only these paths (git pathspecs): ${loop.paths.map((path) => `\`${path}\``).join(', ')}. A change anywhere else discards the experiment.`
        : '',
    ]
      .filter(Boolean)
      .join('\n'),
    `### Standing\n${standingText(loop, standing)}`,
    `### History\n${historyTable(results, standing)}`,
  ];
  const previous = results.experiments.at(-1);
  if (previous) {
    sections.push(
      `### Previous iteration (${previous.iteration})\n` +
        `${previous.decision === 'kept' ? 'Kept' : 'Discarded'}: ${previous.reason}.${previous.decision === 'discarded' && previous.commit ? ' Its change was reverted.' : ''}\n` +
        `Hypothesis: ${previous.hypothesis}`,
    );
  }
  if (options.suggestion) {
    sections.push(
      `### Proposed by node ${options.suggestion.from}\n` +
        `Another node of the swarm proposed this change for some node to try; this iteration is its try. Make it (adapted to the current best version), unless the history shows it was already tried:\n${options.suggestion.hypothesis}`,
    );
  }
  sections.push(
    '### This iteration\n' +
      'Make ONE concrete change that you expect to improve the metric — learn from the history: do not repeat what was discarded. ' +
      `When the change is made, call ${COMPLETE_TOOL_NAME} with status success and a summary whose first line is\n` +
      `\`Hypothesis: <the change, and why you expect it to improve ${loop.metric.name}>\`\n` +
      `If no sensible change is left, call ${COMPLETE_TOOL_NAME} with status failure and say why.` +
      (options.sharing
        ? '\nOther nodes work on the same goal: for other promising changes you did not make, add a line `Also try: <the change>` each (at most five); they are queued for the swarm.'
        : ''),
  );
  return sections.join('\n\n');
}

function standingText(loop: GoalLoop, standing: LoopStanding): string {
  const lines: string[] = [];
  const { baseline, best } = standing;
  if (baseline)
    lines.push(
      `- Baseline: ${formatMetric(baseline.mean)} (mean of ${baseline.readings} measurement${baseline.readings === 1 ? '' : 's'}; noise, their spread: ${formatMetric(baseline.noise)})`,
    );
  else lines.push('- Baseline: the metric could not be read before the first experiment.');
  lines.push(
    best
      ? `- Best: ${formatMetric(best.metric)} (${best.iteration === 0 ? 'the baseline' : `iteration ${best.iteration}`}, commit ${best.commit.slice(0, 7)})`
      : '- Best: none yet: the first readable result is kept.',
  );
  lines.push(
    `- A change is kept only if it beats the best by more than ${formatMetric(standing.margin)}${loop.margin === undefined ? ' (the measured noise)' : ''}.`,
  );
  if (loop.stop?.metric !== undefined)
    lines.push(`- The loop stops when the best reaches ${formatMetric(loop.stop.metric)}.`);
  return lines.join('\n');
}

/** The history as a markdown table: the baseline, then every experiment (the newest MAX_HISTORY_ROWS). */
function historyTable(results: ExperimentResults, standing: LoopStanding): string {
  const rows = ['| iteration | metric | decision | hypothesis |', '|---|---|---|---|'];
  if (standing.baseline) rows.push(`| 0 (baseline) | ${formatMetric(standing.baseline.mean)} | baseline | — |`);
  const shown = results.experiments.slice(-MAX_HISTORY_ROWS);
  if (shown.length < results.experiments.length)
    rows.push(`| … | | ${results.experiments.length - shown.length} earlier iterations | |`);
  for (const line of shown) {
    const metric = line.metric === null ? '—' : formatMetric(line.metric);
    rows.push(
      `| ${line.iteration} | ${metric} | ${line.decision}: ${cell(line.reason, 120)} | ${cell(line.hypothesis, 160)} |`,
    );
  }
  if (results.experiments.length === 0) rows.push('| | | no experiment yet | |');
  return rows.join('\n');
}

function cell(text: string, length: number): string {
  return clipText(oneLine(text), length).replace(/\|/g, '\\|');
}

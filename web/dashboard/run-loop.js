// The run page's experiment loop: where it stands, the results table (as `mux-swarm results` prints it) and the
// metric chart, drawn on the server by the same code as `results` draws metric.svg.
/* global state, sections, runId, table */
/* exported drawLoop */
'use strict';

function drawLoop() {
  const loop = state.details.loop;
  if (!loop) return sections.loop.replaceChildren();
  const { start, standing } = loop;
  const direction = start?.metric.direction;
  const rows = [
    ...loop.baselines.map((line) =>
      el(
        'tr',
        { 'data-kind': 'baseline', 'data-iteration': line.iteration },
        el('td', {}, `0 (${line.repeat}/${start?.baselineRepeats ?? loop.baselines.length})`),
        el('td', {}, el('code', {}, shortCommit(line.commit))),
        el('td', { class: 'number' }, metricText(line.metric)),
        el('td', { class: 'number' }, '—'),
        el('td', {}, line.problem ? `baseline: ${line.problem}` : 'baseline'),
        el('td', { class: 'number' }, '—'),
        el('td', {}, '—'),
      ),
    ),
    ...loop.experiments.map((line, index) =>
      el(
        'tr',
        { 'data-kind': 'experiment', 'data-iteration': line.iteration, 'data-decision': line.decision },
        el('td', {}, line.iteration),
        el('td', {}, el('code', {}, shortCommit(line.commit))),
        el('td', { class: 'number' }, metricText(line.metric)),
        el('td', { class: 'number' }, deltaText(line.metric, standing.bestBefore[index], direction)),
        el('td', {}, el('span', { class: `badge decision-${line.decision}` }, line.decision), ` ${line.reason}`),
        el('td', { class: 'number' }, costText(line.costUsd)),
        el('td', { class: 'task' }, line.hypothesis ?? '—'),
      ),
    ),
  ];
  sections.loop.replaceChildren(
    el('h2', {}, 'Loop results'),
    el('p', { id: 'loop-standing' }, standingText(start, standing)),
    table(['iteration', 'commit', 'metric', 'Δ best', 'decision', 'cost', 'hypothesis'], rows, 'loop-results'),
    rows.length === 0
      ? ''
      : el('img', {
          id: 'metric-chart',
          class: 'chart',
          alt: 'the loop metric by iteration',
          src: `/api/runs/${encodeURIComponent(runId)}/metric.svg?v=${state.lastSeq}`,
        }),
  );
}

/** `loss (lower is better): baseline 0.04 (2 readings, noise 0.001); best 0.01 at iteration 1; 2 experiments: …`. */
function standingText(start, standing) {
  const parts = [];
  if (start) parts.push(`${start.metric.name} (${start.metric.direction} is better)`);
  const { baseline, best } = standing;
  parts.push(
    baseline
      ? `baseline ${metricText(baseline.mean)} (${baseline.readings} readings, noise ${metricText(baseline.noise)})`
      : 'no baseline reading',
  );
  if (best) parts.push(`best ${metricText(best.metric)} at iteration ${best.iteration}`);
  const discarded = standing.experiments - standing.kept;
  parts.push(`${standing.experiments} experiments: ${standing.kept} kept, ${discarded} discarded`);
  parts.push(costText(standing.costUsd));
  return parts.join(' · ');
}

function shortCommit(commit) {
  return typeof commit === 'string' ? commit.slice(0, 7) : '—';
}

function metricText(value) {
  return typeof value === 'number' ? String(Number(value.toPrecision(6))) : '—';
}

/** The change from the best before the experiment, signed as the metric moves (not as "better"). */
function deltaText(value, bestBefore, direction) {
  if (typeof value !== 'number' || typeof bestBefore !== 'number' || !direction) return '—';
  const delta = Number((value - bestBefore).toPrecision(4));
  return delta > 0 ? `+${delta}` : String(delta);
}

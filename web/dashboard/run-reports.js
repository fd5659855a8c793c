// The run page's training and failure sections (the report's views, the curve drawn on the server), and the table
// helpers every section uses.
/* global state, sections, runId */
/* exported drawTraining, drawFailures, table, firstLine */
'use strict';

function drawTraining() {
  const training = state.details.training;
  if (!training || training.jobs.length === 0) return sections.training.replaceChildren();
  const rows = training.jobs.map((job) =>
    el(
      'tr',
      {},
      el('td', {}, job.name ? `${job.name} (${job.jobId})` : job.jobId),
      el('td', {}, job.classification ?? job.state),
      el('td', { class: 'number' }, job.lastStep ?? '—', job.totalSteps ? `/${job.totalSteps}` : ''),
      el('td', { class: 'number' }, job.loss ? job.loss.last.toPrecision(4) : '—'),
      el('td', { class: 'number' }, job.evalLoss ? job.evalLoss.last.toPrecision(4) : '—'),
      el('td', { class: 'number' }, durationText(job.runtimeMs)),
    ),
  );
  sections.training.replaceChildren(
    el('h2', {}, 'Training'),
    table(['job', 'state', 'step', 'loss', 'eval_loss', 'runtime'], rows, 'training-jobs'),
    training.charted
      ? el('img', {
          id: 'training-chart',
          class: 'chart',
          alt: 'training loss and eval_loss by step',
          src: `/api/runs/${encodeURIComponent(runId)}/training.svg?v=${state.lastSeq}`,
        })
      : '',
  );
}

function drawFailures() {
  const failures = state.details.failures;
  const steps = failures?.steps ?? [];
  const tools = failures?.toolCalls ?? [];
  if (steps.length === 0 && tools.length === 0) return sections.failures.replaceChildren();
  sections.failures.replaceChildren(
    el('h2', {}, 'Failures'),
    steps.length === 0
      ? ''
      : table(
          ['step', 'fingerprint', 'error', 'verdict', 'fix'],
          steps.map((step) =>
            el(
              'tr',
              {},
              el('td', {}, el('code', {}, firstLine(step.step))),
              el(
                'td',
                {},
                el('a', { href: `/memory?q=${step.fingerprint.slice(0, 12)}` }, step.fingerprint.slice(0, 12)),
              ),
              el('td', {}, step.error ? `${step.error.type}: ${step.error.message}` : '—'),
              el('td', {}, step.verdict),
              el('td', {}, step.fix ? step.fix.description : '—'),
            ),
          ),
          'failure-steps',
        ),
    tools.length === 0
      ? ''
      : table(
          ['tool', 'error', 'count', 'later succeeded'],
          tools.map((group) =>
            el(
              'tr',
              {},
              el('td', {}, group.tool),
              el('td', {}, group.error),
              el('td', { class: 'number' }, group.count),
              el('td', {}, group.laterSucceeded ? 'yes' : 'no'),
            ),
          ),
          'failed-tools',
        ),
  );
}

function table(headings, rows, id) {
  return el(
    'table',
    { id },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headings.map((h) => el('th', {}, h)),
      ),
    ),
    el('tbody', {}, rows),
  );
}

function firstLine(text) {
  const line = String(text ?? '')
    .trim()
    .split('\n')[0];
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}

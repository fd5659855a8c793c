// The run page's summary, actions, delegation tree and usage tables, drawn from /api/runs/<id>.
/* global state, sections, runId, scheduleRedraw, table, firstLine */
/* exported drawSummary, drawActions, drawTree, drawUsage */
'use strict';

function drawSummary() {
  const { run, driven, usage_by_model: byModel, gpu } = state.details;
  // The run's row is totalled when a session ends; the journal's usage is current while it runs.
  const totals = byModel.reduce(
    (sum, row) => ({
      calls: sum.calls + row.calls,
      tokens: sum.tokens + row.input_tokens + row.output_tokens,
      cost: sum.cost + row.cost_usd,
    }),
    { calls: 0, tokens: 0, cost: 0 },
  );
  const phases = run.phases ? phaseText(run.phases) : phaseReportText(state.phaseReport);
  sections.summary.replaceChildren(
    el(
      'dl',
      { class: 'summary' },
      el('dt', {}, 'goal'),
      el('dd', {}, run.goal_name),
      el('dt', {}, 'state'),
      el('dd', { id: 'run-status' }, statusBadge(run.status), driven ? ' (a process drives it)' : ''),
      el('dt', {}, 'outcome'),
      el('dd', { id: 'run-outcome' }, run.subtype ? `${run.subtype}, exit ${run.exit_code}` : '—'),
      el('dt', {}, 'phases'),
      el('dd', {}, phases),
      el('dt', {}, 'elapsed'),
      el('dd', {}, durationText(run.elapsed_ms)),
      el('dt', {}, 'cost'),
      el(
        'dd',
        { id: 'run-cost' },
        costText(totals.cost + (gpu?.cost_usd ?? 0)),
        gpu && gpu.jobs.length > 0 ? ` (models ${costText(totals.cost)} + GPU ${costText(gpu.cost_usd)})` : '',
      ),
      el('dt', {}, 'model calls · tokens'),
      el('dd', {}, `${totals.calls} · ${tokensText(totals.tokens)}`),
    ),
    run.result ? el('details', {}, el('summary', {}, 'result'), el('pre', {}, run.result)) : '',
  );
}

function phaseReportText(report) {
  if (!report) return '—';
  const done = report.phases.filter((phase) => phase.state === 'done').length;
  const checked = report.phases.filter((phase) => phase.state !== 'unchecked').length;
  return checked === 0 ? `${report.phases.length} unchecked` : `${done}/${checked} at the last start`;
}

function drawActions() {
  const { run, driven, read_only: readOnly } = state.details;
  if (readOnly) return sections.actions.replaceChildren(el('p', { class: 'muted' }, 'read-only dashboard'));
  const note = el('span', { id: 'action-note', class: 'muted' });
  const act = (action) => async () => {
    note.textContent = `${action}…`;
    const outcome = await postAction(`/api/runs/${encodeURIComponent(runId)}/${action}`);
    note.textContent = outcome.message;
    scheduleRedraw(300);
  };
  sections.actions.replaceChildren(
    el('button', { id: 'stop', disabled: !driven, onclick: act('stop') }, 'Stop'),
    ' ',
    el('button', { id: 'resume', disabled: driven || run.status === 'succeeded', onclick: act('resume') }, 'Resume'),
    ' ',
    note,
  );
}

/**
 * The delegations as a tree: the API sends them in tree order (each followed by its children), so each row is
 * indented by its depth and marked with its parent (`data-depth`, `data-parent`).
 */
function drawTree() {
  const rows = state.details.delegations.map((delegation) =>
    el(
      'tr',
      { 'data-delegation': delegation.id, 'data-depth': delegation.depth, 'data-parent': delegation.parent_id },
      el(
        'td',
        { class: 'agent', style: { paddingLeft: `${0.5 + delegation.depth * 1.5}em` } },
        delegation.depth > 0 ? el('span', { class: 'branch' }, '└ ') : '',
        delegation.agent,
      ),
      el('td', {}, state.models.get(delegation.id) ?? '—'),
      el('td', {}, statusBadge(delegation.status ?? 'running')),
      el('td', { class: 'number' }, delegation.turns),
      el('td', { class: 'number' }, costText(delegation.cost_usd)),
      el('td', { class: 'task' }, firstLine(delegation.summary ?? delegation.task)),
    ),
  );
  sections.tree.replaceChildren(
    rows.length === 0
      ? el('p', { class: 'muted' }, 'no delegation yet')
      : table(['agent', 'model', 'status', 'turns', 'cost', 'task / summary'], rows, 'delegations'),
  );
}

function drawUsage() {
  const usageRows = (rows) =>
    rows.map((row) =>
      el(
        'tr',
        {},
        el('td', {}, row.key),
        el('td', { class: 'number' }, row.calls),
        el('td', { class: 'number' }, tokensText(row.input_tokens)),
        el('td', { class: 'number' }, tokensText(row.output_tokens)),
        el('td', { class: 'number' }, costText(row.cost_usd)),
      ),
    );
  const { usage_by_agent: byAgent, usage_by_model: byModel, gpu } = state.details;
  sections.usage.replaceChildren(
    el(
      'div',
      { class: 'columns' },
      table(['agent', 'calls', 'input', 'output', 'cost'], usageRows(byAgent), 'usage-agent'),
      table(['model', 'calls', 'input', 'output', 'cost'], usageRows(byModel), 'usage-model'),
      gpu && gpu.jobs.length > 0 ? gpuTable(gpu) : '',
    ),
  );
}

/**
 * GPU time and cost by training job (each at its hourly price), then the run's GPU total: overlapping jobs are
 * counted once there, so the total may be less than the jobs' sum (as in `mux-swarm report`).
 */
function gpuTable(gpu) {
  const rows = gpu.jobs.map((job) =>
    el(
      'tr',
      { 'data-job': job.job_id },
      el('td', {}, job.name ? `${job.name} (${job.job_id})` : job.job_id),
      el('td', {}, job.state),
      el('td', { class: 'number' }, `${costText(job.hourly_usd)}/h`),
      el('td', { class: 'number' }, durationText(job.seconds * 1000)),
      el('td', { class: 'number' }, costText(job.cost_usd)),
    ),
  );
  rows.push(
    el(
      'tr',
      { class: 'total', 'data-total': 'gpu' },
      el('td', {}, 'GPU total (overlaps once)'),
      el('td', {}, ''),
      el('td', {}, ''),
      el('td', { class: 'number' }, durationText(gpu.seconds * 1000)),
      el('td', { class: 'number' }, costText(gpu.cost_usd)),
    ),
  );
  return table(['GPU: job', 'state', 'price', 'time', 'cost'], rows, 'usage-gpu');
}

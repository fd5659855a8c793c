// One run, live: its summary, phase standing, delegation tree, costs, training, failures and loop results are
// drawn from /api/runs/<id> (redrawn when an event says they changed); each agent's transcript is built from the
// event stream (/api/runs/<id>/events), the same typed events stream-json prints.
'use strict';

const runId = decodeURIComponent(location.pathname.split('/').pop());
const state = {
  drawnSeq: -1,
  details: undefined,
  phaseReport: undefined,
  models: new Map(),
  lanes: new Map(),
  lastSeq: -1,
};
const sections = {};
for (const name of ['summary', 'actions', 'tree', 'usage', 'training', 'failures', 'loop', 'transcripts'])
  sections[name] = el('section', { id: name });

/** Events after which the run's JSON is read again: the tree, costs, training and results change with them. */
const REDRAW_ON = new Set([
  'delegation-start',
  'delegation-end',
  'assistant',
  'training-start',
  'training-progress',
  'training-end',
  'phase-report',
  'result',
  'stuck',
]);

mainElement().replaceChildren(
  el('h1', {}, 'Run ', el('code', {}, runId)),
  sections.summary,
  sections.actions,
  el('h2', {}, 'Delegations'),
  sections.tree,
  el('h2', {}, 'Cost and tokens'),
  sections.usage,
  sections.training,
  sections.failures,
  sections.loop,
  el('h2', {}, 'Transcripts'),
  sections.transcripts,
);

function drawSummary() {
  const { run, driven, usage_by_model: byModel } = state.details;
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
      el('dd', { id: 'run-cost' }, costText(totals.cost)),
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

function drawTree() {
  const rows = state.details.delegations.map((delegation) =>
    el(
      'tr',
      { 'data-delegation': delegation.id },
      el('td', { style: `padding-left: ${0.5 + delegation.depth * 1.5}em` }, delegation.agent),
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
  const { usage_by_agent: byAgent, usage_by_model: byModel } = state.details;
  sections.usage.replaceChildren(
    el(
      'div',
      { class: 'columns' },
      table(['agent', 'calls', 'input', 'output', 'cost'], usageRows(byAgent), 'usage-agent'),
      table(['model', 'calls', 'input', 'output', 'cost'], usageRows(byModel), 'usage-model'),
    ),
  );
}

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

function drawLoop() {
  const loop = state.details.loop;
  if (!loop) return sections.loop.replaceChildren();
  const rows = [...loop.baselines, ...loop.experiments].map((line) =>
    el(
      'tr',
      {},
      el('td', {}, line.kind),
      el('td', {}, line.name ?? line.id ?? line.hypothesis ?? '—'),
      el('td', { class: 'number' }, typeof line.metric === 'number' ? line.metric : (line.value ?? '—')),
      el('td', {}, line.decision ?? line.status ?? '—'),
    ),
  );
  sections.loop.replaceChildren(
    el('h2', {}, 'Loop results'),
    table(['kind', 'experiment', 'metric', 'decision'], rows, 'loop-results'),
    rows.length === 0
      ? ''
      : el('img', {
          id: 'metric-chart',
          class: 'chart',
          alt: 'the loop metric by experiment',
          src: `/api/runs/${encodeURIComponent(runId)}/metric.svg?v=${state.lastSeq}`,
        }),
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

/** The transcript lane of a delegation (or the runtime's own messages), made on its first event. */
function laneRecord(key, title) {
  let found = state.lanes.get(key);
  if (!found) {
    const list = el('ol', { class: 'entries' });
    const more = el('button', { class: 'more', hidden: true }, 'show earlier entries');
    const box = el('details', { class: 'lane', open: true, 'data-lane': key }, el('summary', {}, title), more, list);
    sections.transcripts.append(box);
    found = { box, list, more, deferred: [], earlier: [], showAll: false, fragment: document.createDocumentFragment() };
    more.addEventListener('click', () => showEarlier(found));
    state.lanes.set(key, found);
  }
  return found;
}

/** Where new entries of a lane go until the next frame appends them. */
function lane(key, title) {
  return laneRecord(key, title).fragment;
}

/** Events that draw an entry (the others only update the page's state); those in a delegation's lane by type. */
const RENDERED = new Set([
  'assistant',
  'user',
  'delegation-start',
  'delegation-end',
  'system',
  'model-retry',
  'model-failover',
  'stuck',
  'budget-warning',
  'training-start',
  'training-end',
  'result',
]);
const IN_DELEGATION_LANE = new Set(['assistant', 'user', 'delegation-start', 'delegation-end']);

function laneKey(event) {
  return IN_DELEGATION_LANE.has(event.type) && event.delegation_id ? event.delegation_id : 'runtime';
}

function laneTitle(event) {
  const key = laneKey(event);
  return key === 'runtime' ? 'runtime' : `${event.agent} · ${key}`;
}

/** The earlier entries of a lane, drawn when asked for: the deferred events, then the entries taken off the page. */
function showEarlier(found) {
  found.showAll = true;
  const older = document.createDocumentFragment();
  const newer = found.fragment;
  found.fragment = older;
  for (const event of found.deferred.splice(0)) addEvent(event);
  found.fragment = newer;
  older.append(...found.earlier.splice(0));
  found.list.prepend(older);
  found.more.hidden = true;
}

/**
 * Entries a lane shows: the newest; the earlier ones wait behind a button (a long run has thousands). Events past
 * SHOWN_EVENTS_PER_LANE in one batch (a page opened on a long run) are not even drawn until asked for.
 */
const SHOWN_PER_LANE = 300;
const SHOWN_EVENTS_PER_LANE = 150;

/** Appends a lane's new entries, keeping at most SHOWN_PER_LANE on the page; the others are kept, not drawn. */
function showNewest(found) {
  found.list.append(found.fragment);
  const extra = found.list.childElementCount - SHOWN_PER_LANE;
  if (extra <= 0 || found.showAll) return;
  for (let index = 0; index < extra; index += 1) {
    const oldest = found.list.firstElementChild;
    oldest.remove();
    found.earlier.push(oldest);
  }
  found.more.hidden = false;
}

function clip(text, limit) {
  return text.length > limit ? `${text.slice(0, limit)}\n… (${text.length - limit} more characters)` : text;
}

/** What an event changes of the page's state besides its entry: the model of a delegation, the phase report. */
function note(event) {
  if (event.type === 'assistant') state.models.set(event.delegation_id, event.message.model);
  if (event.type === 'phase-report') state.phaseReport = event;
}

/** One event into its lane: assistant text, tool calls with arguments, results, and the runtime's messages. */
function addEvent(event) {
  const delegation = event.delegation_id;
  const laneFor = () => lane(delegation ?? 'runtime', delegation ? `${event.agent} · ${delegation}` : 'runtime');
  switch (event.type) {
    case 'assistant':
      state.models.set(delegation, event.message.model);
      for (const block of event.message.content) {
        if (block.type === 'text' && block.text.trim() !== '')
          laneFor().append(
            el(
              'li',
              { class: 'assistant' },
              el('span', { class: 'who' }, `turn ${event.turn}`),
              el('div', { class: 'text' }, block.text),
            ),
          );
        if (block.type === 'tool_use')
          laneFor().append(
            el(
              'li',
              { class: 'tool-call' },
              el('span', { class: 'who' }, '→ ', block.name),
              el('pre', {}, clip(JSON.stringify(block.input, null, 2), 4000)),
            ),
          );
      }
      break;
    case 'user':
      for (const block of event.message.content)
        laneFor().append(
          el(
            'li',
            { class: block.is_error ? 'tool-result error' : 'tool-result' },
            el('span', { class: 'who' }, '← ', block.name, ` (${durationText(block.duration_ms)})`),
            el('pre', {}, clip(block.content, 4000)),
          ),
        );
      break;
    case 'delegation-start':
      lane(delegation, `${event.agent} · ${delegation}`).append(
        el('li', { class: 'runtime' }, `task from ${event.from}: ${event.task}`),
      );
      break;
    case 'delegation-end':
      lane(delegation, `${event.agent} · ${delegation}`).append(
        el('li', { class: 'runtime' }, `ended ${event.status} (${event.stop_reason}): ${event.summary}`),
      );
      break;
    case 'system':
      if (event.subtype === 'warning')
        lane('runtime', 'runtime').append(el('li', { class: 'runtime warning' }, event.message));
      break;
    case 'model-retry':
    case 'model-failover':
    case 'stuck':
    case 'budget-warning':
    case 'training-start':
    case 'training-end':
      lane('runtime', 'runtime').append(el('li', { class: 'runtime' }, `${event.type}: ${runtimeLine(event)}`));
      break;
    case 'phase-report':
      state.phaseReport = event;
      break;
    case 'result':
      lane('runtime', 'runtime').append(
        el('li', { class: 'runtime result' }, `result: ${event.subtype} (exit ${event.exit_code})`),
      );
      break;
    default:
      break;
  }
}

function runtimeLine(event) {
  return (
    event.reason ??
    event.detail ??
    event.summary ??
    event.command ??
    `${event.budget ?? ''} ${event.used ?? ''}/${event.limit ?? ''}`
  );
}

let redrawTimer;
function scheduleRedraw(delay) {
  clearTimeout(redrawTimer);
  redrawTimer = setTimeout(() => redraw().catch(showError), delay);
}

async function redraw() {
  state.details = await getJson(`/api/runs/${encodeURIComponent(runId)}`);
  drawSummary();
  drawActions();
  drawTree();
  drawUsage();
  drawTraining();
  drawFailures();
  drawLoop();
  document.body.dataset.status = state.details.run.status;
  document.body.dataset.lastSeq = String(state.drawnSeq);
}

/**
 * Events are drawn in batches, once per animation frame: a page opened on a long run receives thousands at once,
 * and appending each to the document as it arrives would lay the page out thousands of times.
 */
const pending = [];
let drawScheduled = false;
function drawPending() {
  drawScheduled = false;
  const began = performance.now();
  const batch = pending.splice(0);
  // From the newest back: past SHOWN_EVENTS_PER_LANE of a lane, an event is kept for "show earlier", not drawn.
  const counts = new Map();
  const deferred = new Set();
  for (let index = batch.length - 1; index >= 0; index -= 1) {
    const event = batch[index];
    if (!RENDERED.has(event.type) || state.lanes.get(laneKey(event))?.showAll) continue;
    const count = (counts.get(laneKey(event)) ?? 0) + 1;
    counts.set(laneKey(event), count);
    if (count > SHOWN_EVENTS_PER_LANE) deferred.add(index);
  }
  let redrawDelay;
  batch.forEach((event, index) => {
    note(event);
    if (deferred.has(index)) {
      const found = laneRecord(laneKey(event), laneTitle(event));
      found.deferred.push(event);
      found.more.hidden = false;
    } else addEvent(event);
    if (REDRAW_ON.has(event.type)) redrawDelay = Math.min(redrawDelay ?? 250, event.type === 'result' ? 50 : 250);
  });
  for (const found of state.lanes.values()) if (found.fragment.childNodes.length > 0) showNewest(found);
  if (batch.length > 0) {
    state.drawnSeq = batch[batch.length - 1].seq;
    document.body.dataset.lastSeq = String(state.drawnSeq);
  }
  if (redrawDelay !== undefined) scheduleRedraw(redrawDelay);
  drawing.batches += 1;
  drawing.ms += performance.now() - began;
  drawing.lastAt = performance.now();
}
/** How the stream was drawn (batches, time spent): for the browser test's measurement. */
const drawing = { batches: 0, ms: 0, firstMessageAt: undefined, lastAt: undefined };
window.muxSwarmDrawing = drawing;

function enqueue(event) {
  state.lastSeq = event.seq;
  pending.push(event);
  if (!drawScheduled) {
    drawScheduled = true;
    requestAnimationFrame(drawPending);
  }
}

async function start() {
  const path = `/api/runs/${encodeURIComponent(runId)}`;
  // What happened so far in one document, then the live stream from there on (it resumes by itself after a drop).
  const [, past] = await Promise.all([redraw(), getJson(`${path}/events.json`)]);
  drawing.firstMessageAt = performance.now();
  for (const event of past.events) enqueue(event);
  const events = new EventSource(`${path}/events?after=${state.lastSeq}`);
  events.onmessage = (message) => enqueue(JSON.parse(message.data));
  // A live run's elapsed time and liveness (the process may die) are read again now and then, events or not.
  setInterval(() => scheduleRedraw(0), 5000);
}

start().catch(showError);

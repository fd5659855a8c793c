// One run, live: its summary, phase standing, delegation tree, costs, training, failures and loop results are
// drawn from /api/runs/<id> (redrawn when an event says they changed); each agent's transcript is built from the
// event stream (/api/runs/<id>/events), the same typed events stream-json prints.
/* global drawSummary, drawActions, drawTree, drawUsage, drawTraining, drawFailures, drawLoop */
/* global laneRecord, laneKey, laneTitle, showNewest, note, addEvent, RENDERED, SHOWN_EVENTS_PER_LANE */
/* exported scheduleRedraw */
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

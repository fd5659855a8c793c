// The run page's transcripts: one lane per delegation (and one for the runtime's messages), built from events.
/* global state, sections */
/* exported lane, laneRecord, laneKey, laneTitle, showNewest, note, addEvent, RENDERED, SHOWN_EVENTS_PER_LANE */
'use strict';

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

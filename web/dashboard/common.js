// Helpers every page of the dashboard shares. Plain browser JavaScript, no build step: the server ships this file
// as it is. Text from the run is always set as textContent, never parsed as HTML.
'use strict';

/** An element with attributes (`class`, `href`, `on<event>` handlers, anything else as an attribute) and children. */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    // Through the CSSOM: the Content-Security-Policy refuses inline style attributes.
    else if (name === 'style') Object.assign(node.style, value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** GET a JSON document of the API; a refusal or error shows its message. */
async function getJson(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/** POST an action (stop, resume): the answer's message, whether it was done or refused. */
async function postAction(path) {
  const response = await fetch(path, { method: 'POST', credentials: 'same-origin' });
  const body = await response.json();
  return { ok: response.ok, message: body.message ?? body.error ?? String(response.status) };
}

function costText(usd) {
  if (typeof usd !== 'number') return '—';
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

function durationText(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${seconds}s`;
}

function tokensText(count) {
  if (typeof count !== 'number') return '—';
  return count >= 10_000 ? `${(count / 1000).toFixed(1)}k` : String(count);
}

/** `2/3 phases`, with the first unmet check when there is one. */
function phaseText(phases) {
  if (!phases || phases.total === 0) return '—';
  const checked = phases.total - phases.unchecked;
  if (checked === 0) return `${phases.total} unchecked`;
  return `${phases.done}/${checked}${phases.first_unmet ? ' ✗' : ''}`;
}

function statusBadge(status) {
  return el('span', { class: `badge status-${status}` }, status);
}

function mainElement() {
  return document.getElementById('main');
}

function showError(error) {
  mainElement().replaceChildren(el('p', { class: 'error' }, `Cannot load: ${error.message}`));
}

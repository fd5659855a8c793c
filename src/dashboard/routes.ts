import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { runRecord } from '../state/run-record.js';
import type { DashboardOptions } from './dashboard-options.js';
import { eventsJson, streamEvents } from './event-stream.js';
import { memoryJson } from './memory-json.js';
import type { Responder } from './responses.js';
import { runJson, runListing } from './run-json.js';
import type { StateReader } from './state-reader.js';
import { pageFor, serveStatic } from './static-files.js';

const RUN_ID = '([A-Za-z0-9._-]+)';
const SVG = 'image/svg+xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** One request, already past the guard: the pages, the static client, the JSON API, the event stream, the actions. */
export function route(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: { options: DashboardOptions; reader: StateReader; responder: Responder },
): void {
  const { options, reader, responder } = context;
  const path = url.pathname;
  const method = request.method ?? 'GET';
  const action = new RegExp(`^/api/runs/${RUN_ID}/(stop|resume)$`, 'u').exec(path);
  if (action) {
    if (method !== 'POST') return responder.error(response, 405, 'actions are POST only');
    if (options.readOnly) return responder.error(response, 403, 'the dashboard is read-only (--read-only)');
    const database = reader.database();
    if (!database) return responder.error(response, 404, 'no runs recorded yet');
    const runId = decodeURIComponent(action[1]!);
    if (runRecord(database, runId) === undefined) return responder.error(response, 404, `no run "${runId}"`);
    const outcome =
      action[2] === 'stop' ? options.actions.stop(database, runId) : options.actions.resume(database, runId);
    return responder.json(response, outcome.ok ? 202 : 409, outcome);
  }
  if (method !== 'GET' && method !== 'HEAD') return responder.error(response, 405, 'only GET here');
  if (path.startsWith('/static/')) return serveStatic(response, path, options.staticDirectory, responder);
  const page = pageFor(path);
  if (page) return responder.send(response, 200, 'text/html; charset=utf-8', page);
  if (!path.startsWith('/api/')) return responder.error(response, 404, `nothing at ${path}`);

  const database = reader.database();
  if (path === '/api/runs')
    return responder.json(response, 200, { runs: database ? runListing(database, options, 200) : [] });
  if (path === '/api/memory')
    return responder.json(response, 200, database ? memoryJson(database, url.searchParams.get('q') ?? '') : {});
  const match = new RegExp(`^/api/runs/${RUN_ID}(/events|/events\\.json|/training\\.svg|/metric\\.svg)?$`, 'u').exec(
    path,
  );
  if (!match || !database) return responder.error(response, 404, `nothing at ${path}`);
  const runId = decodeURIComponent(match[1]!);
  if (match[2] !== undefined && runRecord(database, runId) === undefined)
    return responder.error(response, 404, `no run "${runId}"`);
  switch (match[2]) {
    case '/events':
      return streamEvents(request, response, url, runId, reader, responder);
    case '/events.json':
      return responder.send(response, 200, JSON_TYPE, eventsJson(database, runId, url));
    case '/training.svg': {
      const chart = options.views.trainingChart(database, runId);
      return chart ? responder.send(response, 200, SVG, chart) : responder.error(response, 404, 'no training curve');
    }
    case '/metric.svg': {
      const chart = options.views.metricChart(join(options.stateDirectory, 'runs', runId));
      return chart ? responder.send(response, 200, SVG, chart) : responder.error(response, 404, 'no loop results');
    }
    default: {
      const run = runJson(database, runId, options);
      return run ? responder.json(response, 200, run) : responder.error(response, 404, `no run "${runId}"`);
    }
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SqliteDatabase } from '../state/database.js';
import { eventsAfter } from '../state/run-events.js';
import { SECURITY_HEADERS, type Responder } from './responses.js';
import type { StateReader } from './state-reader.js';

/** How often the stream looks for new rows: well under the 1 s an event may take from the worker to the browser. */
export const POLL_MS = 150;
/** Rows sent per look: a page opened on a long run catches up in a few large writes. */
const BATCH = 2_000;
/** A comment line this often keeps proxies and `ssh -L` from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * The run's `events` rows as server-sent events, in `seq` order, each with `id: <seq>`: the typed stream that
 * stream-json prints, read back from the table the run writes it to (no second event model). A reconnecting
 * browser sends `Last-Event-ID` and gets what follows it; `?after=<seq>` does the same for a first connection.
 * The table is polled (the writer is another process: no notification crosses SQLite); one indexed range read per
 * look, a no-op while the run is quiet.
 */
export function streamEvents(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  runId: string,
  reader: StateReader,
  responder: Responder,
): void {
  let last = startAfter(request, url);
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  responder.write(response, 'retry: 1000\n\n');
  let timer: NodeJS.Timeout | undefined;
  let idleSince = Date.now();
  const look = (): void => {
    const database = reader.database();
    const rows = database ? eventsAfter(database, runId, last, BATCH) : [];
    if (rows.length > 0) {
      responder.write(response, rows.map((row) => `id: ${row.seq}\ndata: ${row.json}\n\n`).join(''));
      last = rows[rows.length - 1]!.seq;
      idleSince = Date.now();
    } else if (Date.now() - idleSince > KEEPALIVE_MS) {
      response.write(': keep-alive\n\n');
      idleSince = Date.now();
    }
    timer = setTimeout(look, rows.length === BATCH ? 0 : POLL_MS);
  };
  response.on('close', () => clearTimeout(timer));
  look();
}

/** Most events one `events.json` answer holds; the page's stream goes on after the last of them. */
const JSON_LIMIT = 50_000;

/**
 * The run's events after `?after=` (default: from the first) as one JSON array, `{"events":[…]}`: a page opened
 * on a long run draws what happened so far from one parse, then follows the stream from the last seq (thousands
 * of server-sent messages, each dispatched and parsed on its own, take the browser many times longer). The rows'
 * JSON is joined as stored, not parsed and written again.
 */
export function eventsJson(database: SqliteDatabase, runId: string, url: URL): string {
  const rows = eventsAfter(database, runId, startAfter(undefined, url), JSON_LIMIT);
  return `{"events":[${rows.map((row) => row.json).join(',')}]}`;
}

function startAfter(request: IncomingMessage | undefined, url: URL): number {
  const header = request?.headers['last-event-id'];
  const text = typeof header === 'string' ? header : url.searchParams.get('after');
  const value = Number(text ?? '-1');
  // Events are numbered from 0: with nothing to resume after, the stream starts before the first.
  return text !== null && text.trim() !== '' && Number.isInteger(value) && value >= -1 ? value : -1;
}

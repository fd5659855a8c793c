/**
 * A fake OpenAI-compatible endpoint for tests: a real HTTP server (node:http) on 127.0.0.1, random port,
 * speaking enough of the chat-completions API for the `openai` client, a child-process CLI, or curl.
 *
 *   const server = await startFakeOpenAIServer({ models: ['small', 'big'] });
 *   // point a provider at it: { baseURL: server.baseURL }   (ends in /v1; no key needed unless requireApiKey)
 *   server.route({ model: 'big' }, { toolCalls: [{ name: 'fs__read', arguments: { path: 'a.txt' } }] });
 *   server.route({ toolResultIncludes: 'hello' }, { content: 'The file says hello.' });
 *   server.enqueue({ content: 'default answer' }, { error: { status: 429, headers: { 'retry-after': '1' } } });
 *   ... run the code under test ...
 *   assert.equal(server.pendingResponses(), 0);     // every scripted reply was used
 *   assert.deepEqual(server.unmatched, []);         // nothing unexpected was asked
 *   server.chatRequests()[0].body.messages          // what was sent
 *   server.reset();                                 // forget queues, routes and records between tests
 *   await server.close();
 *
 * Answering POST /v1/chat/completions — first that applies:
 *   1. routed queues (`route(match, ...replies)`), in order of registration; a rule whose queue is empty is skipped;
 *   2. the default FIFO queue (`enqueue(...replies)`);
 *   3. the `fallback` option, a function from the request body to a reply (may return undefined);
 *   4. otherwise a 500 `{error: {message: "fake-openai-server: no scripted response ..."}}` with
 *      `x-should-retry: false` (so clients fail at once instead of retrying) and an entry in `server.unmatched`.
 * The reply is chosen when the request arrives, so concurrent requests take queue entries in arrival order;
 * routing by model or system prompt keeps parallel agents deterministic.
 *
 * A reply (ScriptedResponse) is `{content?, toolCalls?, finishReason?, usage?, cost?, model?, delayMs?,
 * chunkDelayMs?, error?: {status, message?, type?, code?, headers?, body?}, hangUp?, hangUpAfterChunks?}`, or a
 * function of the request body returning one. The request's `stream` flag picks the form: JSON, or SSE chunks
 * (`data: {...}\n\n`, tool-call arguments split over several chunks, usage in a last chunk when
 * `stream_options.include_usage`, then `data: [DONE]`). Usage defaults to text length / 4 per side; `cost` is
 * reported as `usage.cost` the way OpenRouter does.
 *
 * Also: GET /v1/models lists the `models` option (OpenAI list shape); `rejectUnknownModels` answers 404
 * model_not_found for chat requests naming another model; `requireApiKey` answers 401 (OpenAI-shaped) to
 * any request whose bearer token differs. Other paths get 404 and an `unmatched` entry.
 * Every request is recorded in `server.requests` (method, path, lower-case headers, parsed body, time, status).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  completionBody,
  completionChunks,
  errorBody,
  type FakeChatBody,
  type ScriptedResponse,
} from './fake-openai-replies.js';
import { describeChatBody, matchesRoute, type RouteMatch } from './fake-openai-routing.js';

export type {
  FakeChatBody,
  FakeChatMessage,
  ScriptedError,
  ScriptedResponse,
  ScriptedToolCall,
  ScriptedUsage,
} from './fake-openai-replies.js';
export type { RouteMatch } from './fake-openai-routing.js';

/** A scripted reply, or a function computing it from the request. */
export type ScriptedReply = ScriptedResponse | ((body: FakeChatBody) => ScriptedResponse | Promise<ScriptedResponse>);

export interface FakeOpenAIServerOptions {
  /** Ids listed by GET /v1/models. */
  models?: string[];
  /** With `models`: chat requests for a model not listed get 404 model_not_found. */
  rejectUnknownModels?: boolean;
  /** Requests without `Authorization: Bearer <this>` get 401. */
  requireApiKey?: string;
  /** Answers chat requests no queue answered; return undefined to leave the request unmatched. */
  fallback?: (body: FakeChatBody) => ScriptedResponse | undefined | Promise<ScriptedResponse | undefined>;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. "/v1/chat/completions". */
  path: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** When the request arrived, in epoch milliseconds with sub-millisecond precision (as Date.now(), from performance.now()). */
  time: number;
  /** Status answered; undefined while pending, or when the socket was hung up. */
  status?: number;
}

export interface RecordedChatRequest extends RecordedRequest {
  body: FakeChatBody;
}

export interface UnmatchedRequest extends RecordedRequest {
  reason: string;
}

export interface FakeOpenAIServer {
  /** e.g. http://127.0.0.1:41234/v1 */
  readonly baseURL: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly unmatched: UnmatchedRequest[];
  /** Adds replies to the default FIFO queue. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Adds a routed queue, checked before the default queue (earlier routes first). */
  route(match: RouteMatch, ...replies: ScriptedReply[]): void;
  /** Recorded POST /v1/chat/completions requests with a valid body, in arrival order. */
  chatRequests(): RecordedChatRequest[];
  /** Scripted replies not yet used, across all queues. */
  pendingResponses(): number;
  /** Forgets every queue, route and recorded request (between tests sharing one server). */
  reset(): void;
  close(): Promise<void>;
}

interface Route {
  match: RouteMatch;
  replies: ScriptedReply[];
}

export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const unmatched: UnmatchedRequest[] = [];
  const defaultQueue: ScriptedReply[] = [];
  const routes: Route[] = [];
  const models = options.models ?? [];
  /** Aborts pending delays when the server closes, so no timer keeps the test process alive. */
  const closing = new AbortController();

  const takeReply = (body: FakeChatBody): ScriptedReply | undefined => {
    for (const route of routes) {
      if (route.replies.length > 0 && matchesRoute(route.match, body)) return route.replies.shift();
    }
    return defaultQueue.shift();
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const time = performance.timeOrigin + performance.now();
    const raw = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path,
      headers: flattenHeaders(request),
      body: parseBody(raw),
      time,
    };
    requests.push(recorded);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      recorded.status = status;
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(text);
    };
    const reject = (status: number, reason: string, headers: Record<string, string> = {}): void => {
      unmatched.push({ ...recorded, reason });
      send(status, errorBody({ status, message: `fake-openai-server: ${reason}`, type: 'server_error' }), headers);
    };

    if (options.requireApiKey !== undefined && recorded.headers.authorization !== `Bearer ${options.requireApiKey}`) {
      send(
        401,
        errorBody({
          status: 401,
          message: 'Incorrect API key provided. You can find your API key in your account settings.',
        }),
      );
      return;
    }
    if (recorded.method === 'GET' && path === '/v1/models') {
      send(200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake-openai-server' })),
      });
      return;
    }
    if (recorded.method !== 'POST' || path !== '/v1/chat/completions') {
      reject(404, `no such endpoint: ${recorded.method} ${path}`);
      return;
    }
    const body = recorded.body;
    if (!isChatBody(body)) {
      reject(400, 'the body is not a chat-completions request (needs "model" and "messages")');
      return;
    }
    if (options.rejectUnknownModels && !models.includes(body.model)) {
      send(
        404,
        errorBody({
          status: 404,
          message: `The model '${body.model}' does not exist or you do not have access to it.`,
        }),
      );
      return;
    }
    const reply = takeReply(body);
    const scripted = typeof reply === 'function' ? await reply(body) : (reply ?? (await options.fallback?.(body)));
    if (scripted === undefined) {
      reject(500, `no scripted response matched this request (${describeChatBody(body)})`, {
        'x-should-retry': 'false',
      });
      return;
    }
    if (scripted.delayMs) await delay(scripted.delayMs, undefined, { signal: closing.signal });
    if (response.destroyed) return;
    if (scripted.hangUp) {
      request.socket.destroy();
      return;
    }
    if (scripted.error) {
      send(scripted.error.status, errorBody(scripted.error), scripted.error.headers);
      return;
    }
    if (body.stream !== true) {
      if (scripted.hangUpAfterChunks !== undefined) request.socket.destroy();
      else send(200, completionBody(body, scripted));
      return;
    }
    await streamChunks(request, response, recorded, completionChunks(body, scripted), scripted, closing.signal);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (closing.signal.aborted) {
        response.destroy();
      } else if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify(errorBody({ status: 500, message: `fake-openai-server failed: ${String(error)}` })),
        );
      } else {
        response.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    unmatched,
    enqueue: (...replies) => {
      defaultQueue.push(...replies);
    },
    route: (match, ...replies) => {
      routes.push({ match, replies: [...replies] });
    },
    chatRequests: () =>
      requests.filter(
        (entry): entry is RecordedChatRequest =>
          entry.method === 'POST' && entry.path === '/v1/chat/completions' && isChatBody(entry.body),
      ),
    pendingResponses: () => defaultQueue.length + routes.reduce((total, route) => total + route.replies.length, 0),
    reset: () => {
      defaultQueue.length = 0;
      routes.length = 0;
      requests.length = 0;
      unmatched.length = 0;
    },
    close: async () => {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function streamChunks(
  request: IncomingMessage,
  response: ServerResponse,
  recorded: RecordedRequest,
  chunks: Array<Record<string, unknown>>,
  scripted: ScriptedResponse,
  closing: AbortSignal,
): Promise<void> {
  recorded.status = 200;
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  for (const [index, chunk] of chunks.entries()) {
    if (scripted.hangUpAfterChunks !== undefined && index >= scripted.hangUpAfterChunks) {
      request.socket.destroy();
      return;
    }
    if (index > 0 && scripted.chunkDelayMs) await delay(scripted.chunkDelayMs, undefined, { signal: closing });
    if (response.destroyed) return;
    response.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  response.end('data: [DONE]\n\n');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function isChatBody(body: unknown): body is FakeChatBody {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as { model?: unknown; messages?: unknown };
  return typeof candidate.model === 'string' && Array.isArray(candidate.messages);
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProviderRequestError } from '../../src/errors/provider-request-error.js';
import { ProviderUnreachableError } from '../../src/errors/provider-unreachable-error.js';
import { RequestAbortedError } from '../../src/errors/request-aborted-error.js';
import type { ProviderFailure } from '../../src/providers/provider-failure.js';
import { parseRetryAfter } from '../../src/providers/retry-after.js';
import { defaultRetryPolicy, retryDelay } from '../../src/providers/retry-policy.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { ask, testProvider } from './provider-fixtures.js';
import { closedPort } from '../support/closed-port.js';

describe('retries against the fake endpoint', () => {
  let server: FakeOpenAIServer;
  before(async () => {
    server = await startFakeOpenAIServer();
  });
  after(async () => {
    await server.close();
  });

  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    server.enqueue(
      { error: { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '1' } } },
      { content: 'after the wait' },
    );
    const { client, notices } = testProvider(server.baseURL);
    const started = Date.now();
    const response = await client.chatModel('m').complete(ask('x'));
    const elapsed = Date.now() - started;
    assert.equal(response.content, 'after the wait');
    assert.equal(response.attempts, 2);
    assert.ok(elapsed >= 950 && elapsed < 3000, `waited ${elapsed} ms`);
    assert.equal(notices.length, 1);
    assert.deepEqual(
      { ...notices[0], reason: undefined },
      { provider: 'local', model: 'm', attempt: 2, delayMs: 1000, reason: undefined },
    );
    assert.match(notices[0]?.reason ?? '', /^429: Rate limit reached/);
  });

  it('honours retry-after-ms before Retry-After', async () => {
    server.enqueue(
      { error: { status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '30' } } },
      { content: 'ok' },
    );
    const { client, notices } = testProvider(server.baseURL);
    const started = Date.now();
    await client.chatModel('m').complete(ask('x'));
    const elapsed = Date.now() - started;
    assert.equal(notices[0]?.delayMs, 250);
    assert.ok(elapsed >= 240 && elapsed < 2000, `waited ${elapsed} ms`);
  });

  it('retries a 500 and succeeds', async () => {
    const before = server.chatRequests().length;
    server.enqueue({ error: { status: 500, message: 'upstream exploded' } }, { content: 'recovered' });
    const { client, notices } = testProvider(server.baseURL);
    const response = await client.chatModel('m').complete(ask('x'));
    assert.equal(response.content, 'recovered');
    assert.equal(response.attempts, 2);
    assert.equal(server.chatRequests().length - before, 2);
    assert.match(notices[0]?.reason ?? '', /500: upstream exploded/);
  });

  it('gives up on a 500 that never stops after maxRetries + 1 attempts', async () => {
    const before = server.chatRequests().length;
    server.enqueue(...Array.from({ length: 4 }, () => ({ error: { status: 503, message: 'overloaded' } })));
    const { client, notices } = testProvider(server.baseURL, { maxRetries: 3 });
    await assert.rejects(client.chatModel('m').complete(ask('x')), (error: unknown) => {
      assert.ok(error instanceof ProviderRequestError);
      assert.equal(error.code, 'provider_request_failed');
      assert.equal(error.status, 503);
      assert.equal(error.attempts, 4);
      assert.equal(error.endpointMessage, 'overloaded');
      assert.match(error.message, /"local".*503.*"m".*4 attempts.*overloaded/);
      return true;
    });
    assert.equal(server.chatRequests().length - before, 4);
    assert.deepEqual(
      notices.map((notice) => notice.attempt),
      [2, 3, 4],
    );
  });

  it('does not retry a 400', async () => {
    const before = server.chatRequests().length;
    server.enqueue({ error: { status: 400, message: "Invalid value for 'temperature'" } });
    const { client, notices } = testProvider(server.baseURL);
    await assert.rejects(client.chatModel('m').complete(ask('x')), (error: unknown) => {
      assert.ok(error instanceof ProviderRequestError);
      assert.equal(error.status, 400);
      assert.equal(error.attempts, 1);
      assert.match(error.message, /Invalid value for 'temperature'/);
      return true;
    });
    assert.equal(server.chatRequests().length - before, 1);
    assert.equal(notices.length, 0);
  });

  it('retries when the connection is dropped, streamed or not', async () => {
    for (const stream of [false, true]) {
      server.enqueue(stream ? { content: 'partial answer that is cut', hangUpAfterChunks: 2 } : { hangUp: true }, {
        content: 'second try',
      });
      const { client, notices } = testProvider(server.baseURL, { stream });
      const response = await client.chatModel('m').complete(ask('x'));
      assert.equal(response.content, 'second try', `stream=${stream}`);
      assert.equal(response.attempts, 2);
      assert.match(notices[0]?.reason ?? '', /^connection-reset/);
    }
  });

  it('times out a slow attempt, retries, and reports the timeout', async () => {
    server.enqueue({ content: 'too late', delayMs: 2000 }, { content: 'too late', delayMs: 2000 });
    const { client } = testProvider(server.baseURL, { maxRetries: 1 });
    const started = Date.now();
    await assert.rejects(client.chatModel('m', { timeoutMs: 150 }).complete(ask('x')), (error: unknown) => {
      assert.ok(error instanceof ProviderRequestError);
      assert.equal(error.status, undefined);
      assert.equal(error.attempts, 2);
      assert.match(error.message, /timeout: no response within 150 ms/);
      assert.match(error.message, /timeoutMs/);
      return true;
    });
    assert.ok(Date.now() - started < 1500);
  });

  it('stops waiting for a retry when the request is aborted', async () => {
    server.enqueue({ error: { status: 429, headers: { 'retry-after': '30' } } });
    const { client, notices } = testProvider(server.baseURL);
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.chatModel('m').complete(ask('x', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 150);
    await assert.rejects(
      pending,
      (error: unknown) => error instanceof RequestAbortedError && error.code === 'request_aborted',
    );
    assert.ok(Date.now() - started < 1500, 'the 30 s wait was cut short');
    assert.equal(notices[0]?.delayMs, 30_000);
  });

  it('aborts a request in flight, streamed or not', async () => {
    for (const stream of [false, true]) {
      server.enqueue(stream ? { content: 'a b c d e f g h', chunkDelayMs: 1000 } : { content: 'slow', delayMs: 5000 });
      const { client } = testProvider(server.baseURL, { stream });
      const controller = new AbortController();
      const started = Date.now();
      const pending = client.chatModel('m').complete(ask('x', { signal: controller.signal }));
      setTimeout(() => controller.abort(), 150);
      await assert.rejects(pending, RequestAbortedError, `stream=${stream}`);
      assert.ok(Date.now() - started < 1500);
    }
  });

  it('rejects at once when the signal has already fired', async () => {
    const before = server.requests.length;
    const { client } = testProvider(server.baseURL);
    await assert.rejects(
      client.chatModel('m').complete(ask('x', { signal: AbortSignal.abort() })),
      RequestAbortedError,
    );
    assert.equal(server.requests.length, before);
  });

  it('left nothing unmatched', () => {
    assert.deepEqual(server.unmatched, []);
    assert.equal(server.pendingResponses(), 0);
  });
});

describe('an endpoint nobody listens on', () => {
  it('fails with ProviderUnreachableError within seconds, retrying only twice', async () => {
    const port = await closedPort();
    const baseURL = `http://127.0.0.1:${port}/v1`;
    const { client, notices } = testProvider(baseURL, { maxRetries: 10 }, { retryPolicy: {} });
    const started = Date.now();
    await assert.rejects(client.chatModel('llama3').complete(ask('x')), (error: unknown) => {
      assert.ok(error instanceof ProviderUnreachableError);
      assert.equal(error.code, 'provider_unreachable');
      assert.equal(error.reason, 'refused');
      assert.equal(error.attempts, 3);
      assert.ok(error.message.includes(baseURL));
      assert.match(error.message, /ollama serve/);
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    });
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.equal(notices.length, 2);
  });

  it('says the same when listing models', async () => {
    const port = await closedPort();
    const { client } = testProvider(`http://127.0.0.1:${port}/v1`);
    await assert.rejects(client.listModels(), ProviderUnreachableError);
  });
});

describe('parseRetryAfter', () => {
  const headers = (entries: Record<string, string>): Headers => new Headers(entries);
  it('reads seconds, milliseconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(headers({ 'retry-after': '2' }), now), 2000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '0.5' }), now), 500);
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '750' }), now), 750);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now), 3000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now), 0);
  });
  it('ignores missing or unreadable values', () => {
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter(headers({})), undefined);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': 'abc' })), undefined);
  });
});

describe('retryDelay', () => {
  const policy = defaultRetryPolicy(4);
  const status = (code: number, entries: Record<string, string> = {}): ProviderFailure => ({
    kind: 'status',
    status: code,
    message: '',
    headers: new Headers(entries),
    errorBody: undefined,
  });

  it('never retries 400, 401, 403, 404, 422', () => {
    for (const code of [400, 401, 403, 404, 422])
      assert.equal(retryDelay(status(code), 1, policy), undefined, String(code));
  });

  it('retries 408, 409, 429 and 5xx with capped, jittered exponential backoff', () => {
    for (const code of [408, 409, 429, 500, 502, 503, 504])
      assert.notEqual(retryDelay(status(code), 1, policy), undefined, String(code));
    assert.equal(
      retryDelay(status(500), 1, policy, () => 0),
      250,
    );
    assert.equal(
      retryDelay(status(500), 1, policy, () => 1),
      500,
    );
    assert.equal(
      retryDelay(status(500), 3, policy, () => 1),
      2000,
    );
    assert.equal(
      retryDelay(status(500), 20, { ...policy, maxRetries: 30 }, () => 1),
      policy.maxDelayMs,
    );
    assert.equal(retryDelay(status(500), 5, policy), undefined, 'beyond maxRetries');
  });

  it('caps a huge Retry-After and obeys x-should-retry', () => {
    assert.equal(retryDelay(status(429, { 'retry-after': '86400' }), 1, policy), policy.maxRetryAfterMs);
    assert.equal(retryDelay(status(500, { 'x-should-retry': 'false' }), 1, policy), undefined);
    assert.equal(retryDelay(status(400, { 'x-should-retry': 'true', 'retry-after': '1' }), 1, policy), 1000);
  });

  it('retries refused connections at most twice, briefly, and TLS failures never', () => {
    const refused: ProviderFailure = { kind: 'unreachable', reason: 'refused', message: '' };
    assert.equal(retryDelay(refused, 1, policy), policy.unreachableDelayMs);
    assert.equal(retryDelay(refused, 2, policy), policy.unreachableDelayMs * 2);
    assert.equal(retryDelay(refused, 3, policy), undefined);
    assert.equal(retryDelay({ kind: 'unreachable', reason: 'tls', message: '' }, 1, policy), undefined);
  });

  it('retries timeouts and resets, not aborts or unknown errors', () => {
    assert.notEqual(retryDelay({ kind: 'timeout', message: '' }, 1, policy), undefined);
    assert.notEqual(retryDelay({ kind: 'connection-reset', message: '' }, 1, policy), undefined);
    assert.equal(retryDelay({ kind: 'unknown', message: '' }, 1, policy), undefined);
  });
});

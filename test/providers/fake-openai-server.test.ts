import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';

type Message = { role: string; content: string; tool_call_id?: string; tool_calls?: unknown[] };

async function chat(
  server: FakeOpenAIServer,
  body: { model: string; messages: Message[]; stream?: boolean; stream_options?: object },
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function contentOf(text: string): unknown {
  return (JSON.parse(text) as { choices: Array<{ message: { content: unknown } }> }).choices[0]?.message.content;
}

describe('fake OpenAI server', () => {
  let server: FakeOpenAIServer;
  before(async () => {
    server = await startFakeOpenAIServer({ models: ['alpha', 'beta'] });
  });
  after(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 with a /v1 base URL and lists its models', async () => {
    assert.match(server.baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await fetch(`${server.baseURL}/models`);
    assert.deepEqual(await response.json(), {
      object: 'list',
      data: [
        { id: 'alpha', object: 'model', created: 0, owned_by: 'fake-openai-server' },
        { id: 'beta', object: 'model', created: 0, owned_by: 'fake-openai-server' },
      ],
    });
  });

  it('checks routes in registration order before the default queue, skipping empty routes', async () => {
    server.enqueue({ content: 'default' });
    server.route({ model: 'beta' }, { content: 'beta route' });
    server.route({ systemIncludes: 'You are the coder' }, { content: 'coder 1' }, { content: 'coder 2' });
    const coder = (model: string) =>
      chat(server, {
        model,
        messages: [
          { role: 'system', content: 'You are the coder.' },
          { role: 'user', content: 'go' },
        ],
      });

    assert.equal(contentOf((await coder('beta')).text), 'beta route', 'the first matching route wins');
    assert.equal(contentOf((await coder('beta')).text), 'coder 1', 'an empty route is skipped');
    assert.equal(contentOf((await coder('alpha')).text), 'coder 2');
    assert.equal(contentOf((await coder('alpha')).text), 'default');
    assert.equal(server.pendingResponses(), 0);
  });

  it('routes by the last user message, the latest tool results, or a predicate', async () => {
    server.route({ toolResultIncludes: 'file body' }, { content: 'after tool' });
    server.route({ lastUserIncludes: 'second' }, { content: 'by user' });
    server.route((body) => body.messages.length === 1 && body.model === 'alpha', { content: 'by predicate' });
    const afterTool = await chat(server, {
      model: 'alpha',
      messages: [
        { role: 'user', content: 'second question' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'read', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: 'the file body' },
      ],
    });
    assert.equal(contentOf(afterTool.text), 'after tool');
    assert.equal(
      contentOf(
        (
          await chat(server, {
            model: 'alpha',
            messages: [
              { role: 'user', content: 'first' },
              { role: 'user', content: 'second' },
            ],
          })
        ).text,
      ),
      'by user',
    );
    assert.equal(
      contentOf((await chat(server, { model: 'alpha', messages: [{ role: 'user', content: 'x' }] })).text),
      'by predicate',
    );
  });

  it('matches tool results only after the last assistant message', async () => {
    server.route({ toolResultIncludes: 'old result' }, { content: 'wrong' });
    server.enqueue({ content: 'right' });
    const response = await chat(server, {
      model: 'alpha',
      messages: [
        { role: 'assistant', content: '', tool_calls: [] },
        { role: 'tool', tool_call_id: 't', content: 'old result' },
        { role: 'assistant', content: 'done with that' },
        { role: 'user', content: 'next' },
      ],
    });
    assert.equal(contentOf(response.text), 'right');
    assert.equal(server.pendingResponses(), 1);
  });

  it('forgets queues, routes and records on reset', async () => {
    assert.ok(server.requests.length > 0);
    server.enqueue({ content: 'dropped' });
    server.reset();
    assert.equal(server.pendingResponses(), 0);
    assert.deepEqual(server.requests, []);
    const response = await chat(server, { model: 'alpha', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(response.status, 500);
    assert.equal(server.unmatched.length, 1);
    server.reset();
  });

  it('answers from the fallback, then reports a request nothing answers as a 500 that must not be retried', async () => {
    const withFallback = await startFakeOpenAIServer({
      fallback: (body) => (body.model === 'echo' ? { content: `echo ${body.messages.length}` } : undefined),
    });
    try {
      assert.equal(
        contentOf((await chat(withFallback, { model: 'echo', messages: [{ role: 'user', content: 'a' }] })).text),
        'echo 1',
      );
      const unmatched = await chat(withFallback, {
        model: 'other',
        messages: [{ role: 'user', content: 'lost question' }],
      });
      assert.equal(unmatched.status, 500);
      assert.equal(unmatched.headers.get('x-should-retry'), 'false');
      assert.match(
        unmatched.text,
        /no scripted response matched this request \(model=\\"other\\", last user=\\"lost question\\"\)/,
      );
      assert.equal(withFallback.unmatched.length, 1);
      assert.equal(withFallback.unmatched[0]?.path, '/v1/chat/completions');
      assert.equal(withFallback.chatRequests().length, 2);
    } finally {
      await withFallback.close();
    }
  });

  it('streams SSE chunks with tool-call arguments split, then usage, then [DONE]', async () => {
    server.enqueue({
      content: 'abcdef',
      toolCalls: [{ id: 'call_x', name: 'fs__read', arguments: { path: 'a-long-enough-path.txt' } }],
      usage: { prompt_tokens: 5 },
      cost: 0.5,
    });
    const response = await chat(server, {
      model: 'alpha',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events = response.text.split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const chunks = events.slice(0, -1).map(
      (event) =>
        JSON.parse(event.replace(/^data: /, '')) as {
          choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
          usage?: Record<string, unknown>;
        },
    );
    const argumentPieces = chunks
      .flatMap(
        (chunk) =>
          (chunk.choices[0]?.delta.tool_calls as Array<{ function: { arguments?: string } }> | undefined) ?? [],
      )
      .map((call) => call.function.arguments ?? '');
    assert.ok(argumentPieces.filter(Boolean).length >= 2, 'arguments arrive in several chunks');
    assert.equal(argumentPieces.join(''), '{"path":"a-long-enough-path.txt"}');
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'tool_calls');
    const usage = chunks.at(-1)?.usage;
    assert.equal(usage?.prompt_tokens, 5);
    assert.equal(usage?.cost, 0.5);
    assert.ok(
      typeof usage?.completion_tokens === 'number' && usage.completion_tokens > 0,
      'completion tokens default from text length',
    );
  });

  it('sends no usage chunk unless asked', async () => {
    server.enqueue({ content: 'x' });
    const response = await chat(server, { model: 'alpha', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.ok(!response.text.includes('"usage"'));
  });

  it('answers scripted errors with their status, headers and an OpenAI-shaped body', async () => {
    server.enqueue({ error: { status: 429, message: 'slow down', headers: { 'retry-after': '7' } } });
    const response = await chat(server, { model: 'alpha', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.deepEqual(JSON.parse(response.text), {
      error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null },
    });
  });

  it('computes replies from functions and records every request', async () => {
    server.enqueue((body) => ({ content: `you said ${String(body.messages.at(-1)?.content)}` }));
    const before = server.requests.length;
    const sentAt = performance.timeOrigin + performance.now();
    const response = await chat(
      server,
      { model: 'alpha', messages: [{ role: 'user', content: 'ping' }] },
      { 'x-test': 'yes' },
    );
    assert.equal(contentOf(response.text), 'you said ping');
    const recorded = server.requests.at(-1);
    assert.equal(server.requests.length, before + 1);
    assert.equal(recorded?.method, 'POST');
    assert.equal(recorded?.path, '/v1/chat/completions');
    assert.equal(recorded?.headers['x-test'], 'yes');
    assert.equal(recorded?.status, 200);
    // Epoch milliseconds from the same clock as performance.now(), sub-millisecond (bench/ measures turns with it).
    const answeredAt = performance.timeOrigin + performance.now();
    assert.ok(typeof recorded?.time === 'number' && recorded.time >= sentAt && recorded.time <= answeredAt);
    assert.notEqual(recorded.time, Math.trunc(recorded.time), 'finer than a millisecond');
    assert.deepEqual((recorded?.body as { messages: unknown }).messages, [{ role: 'user', content: 'ping' }]);
  });

  it('keeps concurrent requests deterministic when routed by model', async () => {
    for (let index = 0; index < 5; index += 1) {
      server.route({ model: 'alpha' }, { content: `alpha ${index}`, delayMs: 5 * (5 - index) });
      server.route({ model: 'beta' }, { content: `beta ${index}` });
    }
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        chat(server, {
          model: index % 2 === 0 ? 'alpha' : 'beta',
          messages: [{ role: 'user', content: String(index) }],
        }),
      ),
    );
    const contents = results.map((result) => String(contentOf(result.text)));
    assert.deepEqual(contents.filter((content) => content.startsWith('alpha')).sort(), [
      'alpha 0',
      'alpha 1',
      'alpha 2',
      'alpha 3',
      'alpha 4',
    ]);
    assert.deepEqual(contents.filter((content) => content.startsWith('beta')).sort(), [
      'beta 0',
      'beta 1',
      'beta 2',
      'beta 3',
      'beta 4',
    ]);
    for (const [index, content] of contents.entries())
      assert.ok(content.startsWith(index % 2 === 0 ? 'alpha' : 'beta'));
  });

  it('rejects unknown paths and bodies that are not chat requests, recording them as unmatched', async () => {
    const before = server.unmatched.length;
    assert.equal((await fetch(`${server.baseURL}/embeddings`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', body: 'not json' })).status, 400);
    assert.deepEqual(
      server.unmatched.slice(before).map((entry) => entry.body),
      [{}, 'not json'],
    );
  });

  it('hangs up when told to', async () => {
    server.enqueue({ hangUp: true });
    await assert.rejects(chat(server, { model: 'alpha', messages: [{ role: 'user', content: 'x' }] }), /fetch failed/);
  });

  it('checks the bearer token and model names when asked to', async () => {
    const strict = await startFakeOpenAIServer({
      requireApiKey: 'sk-right',
      models: ['known'],
      rejectUnknownModels: true,
    });
    try {
      strict.enqueue({ content: 'welcome' });
      const noKey = await chat(strict, { model: 'known', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(noKey.status, 401);
      assert.equal((JSON.parse(noKey.text) as { error: { code: string } }).error.code, 'invalid_api_key');
      assert.equal((await fetch(`${strict.baseURL}/models`)).status, 401);
      const unknownModel = await chat(
        strict,
        { model: 'unknown', messages: [{ role: 'user', content: 'x' }] },
        { authorization: 'Bearer sk-right' },
      );
      assert.equal(unknownModel.status, 404);
      assert.equal((JSON.parse(unknownModel.text) as { error: { code: string } }).error.code, 'model_not_found');
      const ok = await chat(
        strict,
        { model: 'known', messages: [{ role: 'user', content: 'x' }] },
        { authorization: 'Bearer sk-right' },
      );
      assert.equal(contentOf(ok.text), 'welcome');
    } finally {
      await strict.close();
    }
  });

  it('closes promptly even with a reply still waiting', async () => {
    const slow = await startFakeOpenAIServer();
    slow.enqueue({ content: 'never', delayMs: 60_000 });
    const pending = chat(slow, { model: 'm', messages: [{ role: 'user', content: 'x' }] }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await slow.close();
    assert.ok(Date.now() - started < 1000);
    assert.ok((await pending) instanceof Error);
  });
});

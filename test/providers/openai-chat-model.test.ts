import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidToolNameError } from '../../src/errors/invalid-tool-name-error.js';
import { MissingApiKeyError } from '../../src/errors/missing-api-key-error.js';
import { loadModelCatalogue } from '../../src/providers/model-catalogue.js';
import { createProviderClient, keylessPlaceholderKey } from '../../src/providers/provider-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { catalogueModel } from './catalogue-data.js';
import { ask, listDirectoryTool, providerConfig, readFileTool, testProvider } from './provider-fixtures.js';

describe('OpenAIChatModel against the fake endpoint', () => {
  let server: FakeOpenAIServer;
  before(async () => {
    server = await startFakeOpenAIServer({ models: ['small-model', 'big-model'] });
  });
  after(async () => {
    await server.close();
  });

  it('returns text from a non-streamed reply and sends only standard fields', async () => {
    server.enqueue({ content: 'Hello there.', usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const { client } = testProvider(server.baseURL);
    const model = client.chatModel('small-model', { temperature: 0.2, maxOutputTokens: 256 });
    const response = await model.complete(ask('Say hello', { tools: [readFileTool] }));

    assert.equal(response.content, 'Hello there.');
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.toolCallsFromText, false);
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.attempts, 1);
    assert.equal(response.provider, 'local');
    assert.equal(response.model, 'small-model');
    assert.deepEqual(response.usage, { inputTokens: 12, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0 });
    assert.ok(response.durationMs >= 0);

    const body = server.chatRequests().at(-1)?.body;
    assert.ok(body);
    assert.deepEqual(Object.keys(body).sort(), ['max_tokens', 'messages', 'model', 'temperature', 'tools']);
    assert.equal(body.max_tokens, 256);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.tools?.[0]?.function.name, 'fs__read_file');
    assert.equal(body.tools?.[0]?.function.parameters?.$schema, undefined, '$schema is stripped');
    assert.deepEqual(body.tools?.[0]?.function.parameters?.required, ['path']);
  });

  it('leaves tools out of the body when the request has none', async () => {
    server.enqueue({ content: 'ok' });
    const { client } = testProvider(server.baseURL);
    await client.chatModel('small-model').complete(ask('hi'));
    const body = server.chatRequests().at(-1)?.body;
    assert.ok(body);
    assert.equal('tools' in body, false);
    assert.equal('temperature' in body, false);
    assert.equal('max_tokens' in body, false);
  });

  it('streams text, calling onTextDelta with each piece, and reads usage from the last chunk', async () => {
    const text = 'Streaming works piece by piece.';
    server.enqueue({ content: text, usage: { prompt_tokens: 20, completion_tokens: 7 } });
    const { client } = testProvider(server.baseURL, { stream: true });
    const pieces: string[] = [];
    const response = await client
      .chatModel('small-model')
      .complete(ask('stream please', { onTextDelta: (piece) => pieces.push(piece) }));

    assert.equal(response.content, text);
    assert.ok(pieces.length >= 2, `expected several deltas, got ${pieces.length}`);
    assert.equal(pieces.join(''), text);
    assert.equal(response.finishReason, 'stop');
    assert.deepEqual(response.usage, { inputTokens: 20, outputTokens: 7, cachedInputTokens: 0, reasoningTokens: 0 });
    const body = server.chatRequests().at(-1)?.body;
    assert.equal(body?.stream, true);
    assert.deepEqual(body?.stream_options, { include_usage: true });
  });

  it('returns several tool calls from one non-streamed reply', async () => {
    server.enqueue({
      toolCalls: [
        { id: 'call_a', name: 'fs__read_file', arguments: { path: 'a.txt' } },
        { id: 'call_b', name: 'fs__list_directory', arguments: { path: '.' } },
      ],
    });
    const { client } = testProvider(server.baseURL);
    const response = await client
      .chatModel('small-model')
      .complete(ask('read', { tools: [readFileTool, listDirectoryTool] }));
    assert.equal(response.finishReason, 'tool_calls');
    assert.equal(response.content, null);
    assert.deepEqual(response.toolCalls, [
      { id: 'call_a', name: 'fs__read_file', arguments: '{"path":"a.txt"}' },
      { id: 'call_b', name: 'fs__list_directory', arguments: '{"path":"."}' },
    ]);
  });

  it('assembles streamed tool calls whose arguments are split over chunks', async () => {
    const longPath = 'src/some/deeply/nested/directory/with/a/long/file-name.ts';
    server.enqueue({
      content: 'Reading both.',
      toolCalls: [
        { id: 'call_1', name: 'fs__read_file', arguments: { path: longPath } },
        { id: 'call_2', name: 'fs__list_directory', arguments: { path: 'src' } },
      ],
    });
    const { client } = testProvider(server.baseURL, { stream: true });
    const response = await client
      .chatModel('small-model')
      .complete(ask('go', { tools: [readFileTool, listDirectoryTool] }));
    assert.equal(response.content, 'Reading both.');
    assert.equal(response.finishReason, 'tool_calls');
    assert.deepEqual(response.toolCalls, [
      { id: 'call_1', name: 'fs__read_file', arguments: JSON.stringify({ path: longPath }) },
      { id: 'call_2', name: 'fs__list_directory', arguments: '{"path":"src"}' },
    ]);
    assert.equal(response.toolCallsFromText, false);
  });

  it('reports streaming progress with each chunk: the characters of text and tool-call arguments so far', async () => {
    const longPath = 'src/some/deeply/nested/directory/with/a/long/file-name.ts';
    server.enqueue({
      content: 'Reading it now.',
      toolCalls: [{ id: 'call_1', name: 'fs__read_file', arguments: { path: longPath } }],
    });
    const { client } = testProvider(server.baseURL, { stream: true });
    const progress: number[] = [];
    const response = await client
      .chatModel('small-model')
      .complete(ask('go', { tools: [readFileTool], onStreamProgress: (characters) => progress.push(characters) }));
    const total = 'Reading it now.'.length + response.toolCalls[0]!.arguments.length;
    assert.ok(progress.length >= 4, `one call per chunk: ${progress.join(', ')}`);
    assert.deepEqual(
      [...progress].sort((a, b) => a - b),
      progress,
      'never goes back within one attempt',
    );
    assert.ok(
      progress.some((characters) => characters > 0 && characters < total),
      `grows as chunks arrive: ${progress.join(', ')}`,
    );
    assert.equal(progress.at(-1), total);

    server.enqueue({ content: 'not streamed' });
    const quiet: number[] = [];
    await testProvider(server.baseURL)
      .client.chatModel('small-model')
      .complete(ask('go', { onStreamProgress: (characters) => quiet.push(characters) }));
    assert.deepEqual(quiet, [], 'a provider that does not stream reports no progress');
  });

  it('recovers a tool call written as text, streamed or not', async () => {
    for (const stream of [false, true]) {
      server.enqueue({
        content:
          'Let me look.\n<tool_call>\n{"name": "fs__read_file", "arguments": {"path": "notes.md"}}\n</tool_call>',
      });
      const { client } = testProvider(server.baseURL, { stream });
      const response = await client.chatModel('small-model').complete(ask('read notes', { tools: [readFileTool] }));
      assert.equal(response.toolCallsFromText, true, `stream=${stream}`);
      assert.equal(response.textDialect, 'hermes');
      assert.equal(response.content, 'Let me look.');
      assert.equal(response.toolCalls.length, 1);
      assert.equal(response.toolCalls[0]?.name, 'fs__read_file');
      assert.deepEqual(JSON.parse(response.toolCalls[0]?.arguments ?? ''), { path: 'notes.md' });
      assert.match(response.toolCalls[0]?.id ?? '', /^call_/);
    }
  });

  it('leaves JSON naming an unknown tool as text', async () => {
    const content = '{"name": "shell__run", "arguments": {"command": "ls"}}';
    server.enqueue({ content });
    const { client } = testProvider(server.baseURL);
    const response = await client.chatModel('small-model').complete(ask('x', { tools: [readFileTool] }));
    assert.equal(response.toolCallsFromText, false);
    assert.equal(response.textDialect, undefined);
    assert.deepEqual(response.toolCalls, []);
    assert.equal(response.content, content);
  });

  it('maps cached and reasoning tokens and takes the cost the provider reports', async () => {
    for (const stream of [false, true]) {
      server.enqueue({
        content: 'priced',
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 200,
          prompt_tokens_details: { cached_tokens: 600 },
          completion_tokens_details: { reasoning_tokens: 150 },
        },
        cost: 0.0123,
      });
      const { client } = testProvider(
        server.baseURL,
        { stream },
        { prices: { 'small-model': { inputPerMillion: 100, outputPerMillion: 100 } } },
      );
      const response = await client.chatModel('small-model').complete(ask('cost?'));
      assert.deepEqual(
        response.usage,
        { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 600, reasoningTokens: 150 },
        `stream=${stream}`,
      );
      assert.equal(response.costUsd, 0.0123);
      assert.equal(response.costSource, 'provider');
    }
  });

  it('prices from the table when the provider reports no cost, matching without the provider/ prefix', async () => {
    server.enqueue({
      content: 'x',
      usage: {
        prompt_tokens: 2_000_000,
        completion_tokens: 1_000_000,
        prompt_tokens_details: { cached_tokens: 1_000_000 },
      },
    });
    const { client } = testProvider(
      server.baseURL,
      {},
      {
        prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 } },
      },
    );
    const response = await client.chatModel('openai/gpt-test').complete(ask('price'));
    assert.equal(response.costSource, 'price-table');
    assert.equal(response.costUsd, 2 + 0.5 + 8);
  });

  it('reports cost 0 with source unknown when nothing prices the model', async () => {
    server.enqueue({ content: 'free?' });
    const { client } = testProvider(server.baseURL);
    const response = await client.chatModel('small-model').complete(ask('x'));
    assert.equal(response.costUsd, 0);
    assert.equal(response.costSource, 'unknown');
  });

  it('counts a call to a provider marked free as 0 with source free', async () => {
    server.enqueue({ content: 'local', usage: { prompt_tokens: 5000, completion_tokens: 500 } });
    const { client } = testProvider(server.baseURL, { free: true });
    const response = await client.chatModel('small-model').complete(ask('x'));
    assert.deepEqual([response.costUsd, response.costSource], [0, 'free']);
  });

  it("prices from the catalogue provider config names when the table has no entry, and gives the catalogue's context window", async () => {
    const expected = await catalogueModel('openai', 'gpt-4o-mini');
    server.enqueue({ content: 'x', usage: { prompt_tokens: 200_000, completion_tokens: 10_000 } });
    const { client } = testProvider(server.baseURL, { catalogue: 'openai' });
    const model = client.chatModel('gpt-4o-mini');
    const response = await model.complete(ask('price'));
    assert.equal(response.costSource, 'catalogue');
    assert.ok(
      Math.abs(response.costUsd - (0.2 * expected.inputPerMillion + 0.01 * expected.outputPerMillion)) < 1e-9,
      `${response.costUsd}`,
    );
    assert.equal(await model.contextWindow?.(), expected.contextWindow);
    assert.equal(
      await testProvider(server.baseURL).client.chatModel('gpt-4o-mini').contextWindow?.(),
      undefined,
      'a local base URL matches no catalogue provider',
    );
  });

  it("asks the catalogue for a free provider's context window only when it names a catalogue provider", async () => {
    const expected = await catalogueModel('openai', 'gpt-4o-mini');
    let loads = 0;
    const counting = {
      loadCatalogue: async () => {
        loads += 1;
        return loadModelCatalogue();
      },
    };
    assert.equal(
      await testProvider(server.baseURL, { free: true }, counting).client.chatModel('gpt-4o-mini').contextWindow?.(),
      undefined,
    );
    assert.equal(loads, 0, 'a free local endpoint does not load the catalogue');
    assert.equal(
      await testProvider(server.baseURL, { free: true, catalogue: 'openai' }, counting)
        .client.chatModel('gpt-4o-mini')
        .contextWindow?.(),
      expected.contextWindow,
    );
    assert.equal(loads, 1);
  });

  it('reports the model id the endpoint says answered', async () => {
    server.enqueue({ content: 'routed', model: 'vendor/actual-model-2025' });
    const { client } = testProvider(server.baseURL);
    const response = await client.chatModel('vendor/auto').complete(ask('x'));
    assert.equal(response.model, 'vendor/actual-model-2025');
  });

  it('sends a non-empty placeholder key to a keyless provider and needs no environment variable', async () => {
    server.enqueue({ content: 'no key needed' });
    const { client } = testProvider(server.baseURL);
    await client.chatModel('small-model').complete(ask('x'));
    const authorization = server.chatRequests().at(-1)?.headers.authorization;
    assert.equal(authorization, `Bearer ${keylessPlaceholderKey}`);
    assert.ok(keylessPlaceholderKey.length > 0);
  });

  it('sends the key from the configured environment variable, and fails clearly when it is unset', async () => {
    server.enqueue({ content: 'with key' });
    const client = createProviderClient('router', providerConfig(server.baseURL, { apiKeyEnv: 'TEST_ROUTER_KEY' }), {
      env: { TEST_ROUTER_KEY: 'sk-test-1234567890' },
      prices: {},
    });
    await client.chatModel('small-model').complete(ask('x'));
    assert.equal(server.chatRequests().at(-1)?.headers.authorization, 'Bearer sk-test-1234567890');

    assert.throws(
      () =>
        createProviderClient('router', providerConfig(server.baseURL, { apiKeyEnv: 'TEST_ROUTER_KEY' }), {
          env: {},
          prices: {},
        }),
      (error: unknown) =>
        error instanceof MissingApiKeyError &&
        error.code === 'api_key_missing' &&
        error.message.includes('"router"') &&
        error.message.includes('TEST_ROUTER_KEY'),
    );
  });

  it('ignores OPENAI_* variables of the process environment', async () => {
    const saved = {
      organization: process.env.OPENAI_ORG_ID,
      baseURL: process.env.OPENAI_BASE_URL,
      key: process.env.OPENAI_API_KEY,
    };
    process.env.OPENAI_ORG_ID = 'org-should-not-leak';
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:1/nowhere';
    process.env.OPENAI_API_KEY = 'sk-should-not-leak';
    try {
      server.enqueue({ content: 'clean' });
      const { client } = testProvider(server.baseURL);
      await client.chatModel('small-model').complete(ask('x'));
      const headers = server.chatRequests().at(-1)?.headers ?? {};
      assert.equal(headers['openai-organization'], undefined);
      assert.equal(headers.authorization, `Bearer ${keylessPlaceholderKey}`);
    } finally {
      for (const [name, value] of [
        ['OPENAI_ORG_ID', saved.organization],
        ['OPENAI_BASE_URL', saved.baseURL],
        ['OPENAI_API_KEY', saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('sends configured headers', async () => {
    server.enqueue({ content: 'x' });
    const { client } = testProvider(server.baseURL, { headers: { 'X-Title': 'mux-swarm tests' } });
    await client.chatModel('small-model').complete(ask('x'));
    assert.equal(server.chatRequests().at(-1)?.headers['x-title'], 'mux-swarm tests');
  });

  it('switches to max_completion_tokens when the endpoint rejects max_tokens, and keeps it', async () => {
    server.route((body) => 'max_tokens' in body, {
      error: {
        status: 400,
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      },
    });
    server.route((body) => 'max_completion_tokens' in body, { content: 'first' }, { content: 'second' });
    const { client } = testProvider(server.baseURL);
    const model = client.chatModel('reasoning-model', { maxOutputTokens: 500 });
    const first = await model.complete(ask('x'));
    const second = await model.complete(ask('y'));
    assert.equal(first.content, 'first');
    assert.equal(second.content, 'second');
    const bodies = server
      .chatRequests()
      .slice(-3)
      .map((entry) => entry.body);
    assert.equal(bodies[0]?.max_tokens, 500);
    assert.equal(bodies[1]?.max_completion_tokens, 500);
    assert.equal('max_tokens' in (bodies[2] ?? {}), false);
    assert.equal(server.pendingResponses(), 0);
  });

  it('uses max_completion_tokens from the start for api.openai.com', async () => {
    const { defaultTokenLimitField } = await import('../../src/providers/chat-request-body.js');
    assert.equal(defaultTokenLimitField('https://api.openai.com/v1'), 'max_completion_tokens');
    assert.equal(defaultTokenLimitField('https://openrouter.ai/api/v1'), 'max_tokens');
    assert.equal(defaultTokenLimitField('http://127.0.0.1:11434/v1'), 'max_tokens');
  });

  it('refuses a tool name models would reject, before sending anything', async () => {
    const before = server.requests.length;
    const { client } = testProvider(server.baseURL);
    await assert.rejects(
      client
        .chatModel('small-model')
        .complete(ask('x', { tools: [{ name: 'bad.name with space', description: '', parameters: {} }] })),
      (error: unknown) => error instanceof InvalidToolNameError && error.message.includes('bad.name with space'),
    );
    assert.equal(server.requests.length, before);
  });

  it('lists the endpoint models', async () => {
    const { client } = testProvider(server.baseURL);
    assert.deepEqual(await client.listModels(), ['small-model', 'big-model']);
  });

  it('left nothing unmatched', () => {
    assert.deepEqual(server.unmatched, []);
    assert.equal(server.pendingResponses(), 0);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { MissingApiKeyError } from '../../src/errors/missing-api-key-error.js';
import { ModelNotFoundError } from '../../src/errors/model-not-found-error.js';
import { isMuxSwarmError } from '../../src/errors/mux-swarm-error.js';
import { ProviderAuthError } from '../../src/errors/provider-auth-error.js';
import { ProviderRequestError } from '../../src/errors/provider-request-error.js';
import type { RetryNotice } from '../../src/providers/chat-types.js';
import { createProviderClient } from '../../src/providers/provider-client.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { ask, fastRetries, providerConfig } from './provider-fixtures.js';

const secretKey = 'sk-or-v1-THIS-IS-THE-SECRET-0123456789abcdef';

function keyedProvider(baseURL: string, notices: RetryNotice[] = [], overrides: Record<string, unknown> = {}) {
  return createProviderClient(
    'openrouter',
    providerConfig(baseURL, { apiKeyEnv: 'OPENROUTER_API_KEY', maxRetries: 1, ...overrides }),
    {
      env: { OPENROUTER_API_KEY: secretKey },
      prices: {},
      retryPolicy: fastRetries,
      onRetry: (notice) => notices.push(notice),
    },
  );
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected the promise to reject');
}

describe('provider errors', () => {
  let server: FakeOpenAIServer;
  before(async () => {
    server = await startFakeOpenAIServer({
      models: [
        'meta-llama/llama-3.1-8b-instruct',
        'qwen/qwen-2.5-7b-instruct',
        'qwen/qwen-2.5-72b-instruct',
        'openai/gpt-4o-mini',
      ],
    });
  });
  after(async () => {
    await server.close();
  });

  it('turns a 401 into ProviderAuthError naming the provider and the variable, without the key', async () => {
    server.enqueue({ error: { status: 401, message: 'No auth credentials found' } });
    const error = await caught(keyedProvider(server.baseURL).chatModel('openai/gpt-4o-mini').complete(ask('x')));
    assert.ok(error instanceof ProviderAuthError);
    assert.equal(error.code, 'provider_auth_failed');
    assert.equal(error.status, 401);
    assert.equal(error.apiKeyEnv, 'OPENROUTER_API_KEY');
    assert.match(error.message, /"openrouter"/);
    assert.match(error.message, /OPENROUTER_API_KEY/);
    assert.match(error.message, /rejected/);
    assert.match(error.message, /No auth credentials found/);
    assert.ok(!error.message.includes(secretKey));
    assert.equal(server.chatRequests().length, 1, '401 is not retried');
  });

  it('turns a 403 into ProviderAuthError about access', async () => {
    server.enqueue({ error: { status: 403, message: 'This model requires a paid plan' } });
    const error = await caught(keyedProvider(server.baseURL).chatModel('openai/gpt-4o-mini').complete(ask('x')));
    assert.ok(error instanceof ProviderAuthError);
    assert.equal(error.status, 403);
    assert.match(error.message, /refused access/);
    assert.match(error.message, /use model "openai\/gpt-4o-mini"/);
  });

  it('says when a keyless provider needed a key', async () => {
    const guarded = await startFakeOpenAIServer({ requireApiKey: 'sk-right' });
    try {
      const client = createProviderClient('local', providerConfig(guarded.baseURL), { env: {}, prices: {} });
      const error = await caught(client.chatModel('m').complete(ask('x')));
      assert.ok(error instanceof ProviderAuthError);
      assert.equal(error.apiKeyEnv, undefined);
      assert.match(error.message, /no "apiKeyEnv"/);
    } finally {
      await guarded.close();
    }
  });

  it('turns a 404 into ModelNotFoundError listing the endpoint models, closest first', async () => {
    server.enqueue({ error: { status: 404, message: 'No endpoints found for qwen/qwen-2.5-7b' } });
    const error = await caught(keyedProvider(server.baseURL).chatModel('qwen/qwen-2.5-7b').complete(ask('x')));
    assert.ok(error instanceof ModelNotFoundError);
    assert.equal(error.code, 'model_not_found');
    assert.equal(error.model, 'qwen/qwen-2.5-7b');
    assert.deepEqual(error.availableModels.slice(0, 2), ['qwen/qwen-2.5-7b-instruct', 'qwen/qwen-2.5-72b-instruct']);
    assert.equal(error.availableModels.length, 4);
    for (const model of ['meta-llama/llama-3.1-8b-instruct', 'openai/gpt-4o-mini'])
      assert.ok(error.message.includes(model));
    assert.match(error.message, /No endpoints found/);
    assert.match(error.message, /swarm\.json/);
    const listing = server.requests.at(-1);
    assert.equal(listing?.path, '/v1/models');
    assert.equal(listing?.headers.authorization, `Bearer ${secretKey}`);
  });

  it('recognises a 400 that says the model id is invalid (OpenRouter)', async () => {
    server.enqueue({ error: { status: 400, message: 'nonsense/model is not a valid model ID' } });
    const error = await caught(keyedProvider(server.baseURL).chatModel('nonsense/model').complete(ask('x')));
    assert.ok(error instanceof ModelNotFoundError);
  });

  it('says the listing failed too when the base URL is wrong', async () => {
    const wrongBase = server.baseURL.replace(/\/v1$/, '/api');
    const unmatchedBefore = server.unmatched.length;
    const error = await caught(keyedProvider(wrongBase).chatModel('openai/gpt-4o-mini').complete(ask('x')));
    assert.ok(error instanceof ModelNotFoundError);
    assert.deepEqual(error.availableModels, []);
    assert.match(error.message, /Listing its models .* failed too: 404/);
    assert.match(error.message, /baseURL/);
    assert.deepEqual(
      server.unmatched.slice(unmatchedBefore).map((entry) => entry.path),
      ['/api/chat/completions', '/api/models'],
    );
  });

  it('keeps the endpoint message of other 4xx, trimmed to one line', async () => {
    server.enqueue({ error: { status: 422, message: `first line\n   second line ${'x'.repeat(1000)}` } });
    const error = await caught(keyedProvider(server.baseURL).chatModel('m').complete(ask('x')));
    assert.ok(error instanceof ProviderRequestError);
    assert.equal(error.status, 422);
    assert.ok(error.endpointMessage.startsWith('first line second line xxx'));
    assert.ok(error.endpointMessage.length <= 400);
    assert.ok(!error.message.includes('\n'));
  });

  it('reads an Ollama-style string error body', async () => {
    server.enqueue(
      { error: { status: 500, body: { error: 'llama runner process has terminated' } } },
      { error: { status: 500, body: { error: 'llama runner process has terminated' } } },
    );
    const error = await caught(keyedProvider(server.baseURL).chatModel('m').complete(ask('x')));
    assert.ok(error instanceof ProviderRequestError);
    assert.equal(error.endpointMessage, 'llama runner process has terminated');
  });

  it('never puts the API key in an error, its fields and causes, or a retry notice, even when the endpoint echoes it', async () => {
    const echo = `Invalid key ${secretKey} for this account`;
    const notices: RetryNotice[] = [];
    const messages: string[] = [];
    const client = keyedProvider(server.baseURL, notices);
    const cases = [
      [{ error: { status: 401, message: echo } }],
      [{ error: { status: 403, message: echo } }],
      [{ error: { status: 400, message: echo } }],
      [{ error: { status: 500, message: echo } }, { error: { status: 500, message: echo } }],
      [
        { error: { status: 429, message: echo, headers: { 'retry-after-ms': '1' } } },
        { error: { status: 429, message: echo } },
      ],
      [{ error: { status: 404, message: echo } }],
    ];
    for (const replies of cases) {
      server.enqueue(...replies);
      const error = await caught(client.chatModel('m').complete(ask('x')));
      assert.ok(isMuxSwarmError(error), error.message);
      // inspect shows the stack, own fields and any cause chain: what a logger would record.
      messages.push(error.message, inspect(error, { depth: 10 }));
    }
    assert.ok(notices.length >= 2);
    const everything = [...messages, ...notices.map((notice) => JSON.stringify(notice))];
    for (const text of everything) assert.ok(!text.includes(secretKey), `key leaked in: ${text}`);
    assert.ok(
      everything.some((text) => text.includes('[REDACTED]')),
      'the echoed key was replaced, not dropped with the message',
    );
    assert.equal(server.pendingResponses(), 0);
  });

  it('reports a missing key variable by provider and variable name', () => {
    assert.throws(
      () =>
        createProviderClient('openai', providerConfig('https://api.openai.com/v1', { apiKeyEnv: 'OPENAI_API_KEY' }), {
          env: { OPENAI_API_KEY: '  ' },
          prices: {},
        }),
      (error: unknown) =>
        error instanceof MissingApiKeyError && error.provider === 'openai' && error.apiKeyEnv === 'OPENAI_API_KEY',
    );
  });
});

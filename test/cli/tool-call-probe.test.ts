import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ConcurrencyLimiter } from '../../src/runtime/concurrency-limiter.js';
import { probeToolCalling, uniqueProbeTargets } from '../../src/cli/tool-call-probe.js';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedResponse } from '../support/fake-openai-server.js';
import { providerConfig } from '../providers/provider-fixtures.js';

const native: ScriptedResponse = { toolCalls: [{ name: 'probe_echo', arguments: { word: 'ping' } }] };

describe('probeToolCalling', () => {
  let server: FakeOpenAIServer;
  before(async () => {
    server = await startFakeOpenAIServer();
  });
  afterEach(() => server.reset());
  after(() => server.close());

  it('drops repeated provider/model pairs, keeping the first order', () => {
    assert.deepEqual(
      uniqueProbeTargets([
        { provider: 'a', model: 'x' },
        { provider: 'b', model: 'x' },
        { provider: 'a', model: 'x' },
        { provider: 'a', model: 'y' },
      ]),
      [
        { provider: 'a', model: 'x' },
        { provider: 'b', model: 'x' },
        { provider: 'a', model: 'y' },
      ],
    );
  });

  // Also shows the probes run side by side: run one at a time, the first would wait for the others forever.
  it(
    "probes every model once and answers in the targets' order, whatever order the answers come in",
    { timeout: 30_000 },
    async () => {
      const models = ['m1', 'm2', 'm3', 'm4', 'm5'];
      // The first request is answered last: it waits until every other one has arrived.
      let arrived = 0;
      let releaseFirst: () => void = () => undefined;
      const first = new Promise<void>((resolve) => (releaseFirst = resolve));
      server.route({ model: 'm1' }, async () => {
        arrived += 1;
        await first;
        return native;
      });
      server.route(
        (body) => body.model !== 'm1',
        ...models.slice(1).map(() => (): ScriptedResponse => {
          arrived += 1;
          if (arrived === models.length) releaseFirst();
          return { content: 'no tools today' };
        }),
      );
      const results = await probeToolCalling(
        models.map((model) => ({ provider: 'local', model })),
        {
          providers: { local: providerConfig(server.baseURL) },
          prices: {},
          env: {},
          concurrency: 2,
        },
      );
      assert.deepEqual(
        results.map((result) => [result.model, result.outcome]),
        [
          ['m1', 'native'],
          ['m2', 'none'],
          ['m3', 'none'],
          ['m4', 'none'],
          ['m5', 'none'],
        ],
      );
      assert.deepEqual(
        server
          .chatRequests()
          .map((request) => request.body.model)
          .sort(),
        models,
      );
    },
  );

  it('runs at most `limit` at once (the limiter the probes share)', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const releases: Array<() => void> = [];
    let started = 0;
    const task = () =>
      new Promise<void>((resolve) => {
        started += 1;
        releases.push(resolve);
      });
    const all = Promise.all(Array.from({ length: 4 }, () => limiter.run(task)));
    const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
    await settle();
    assert.equal(started, 2);
    releases.shift()!();
    await settle();
    assert.equal(started, 3);
    releases.shift()!();
    releases.shift()!();
    await settle();
    assert.equal(started, 4);
    releases.shift()!();
    await all;
  });

  it('reports a provider missing from config.json, and a missing key without showing any secret', async () => {
    server.enqueue(native);
    const results = await probeToolCalling(
      [
        { provider: 'nowhere', model: 'm' },
        { provider: 'keyed', model: 'm' },
        { provider: 'local', model: 'm' },
      ],
      {
        providers: {
          local: providerConfig(server.baseURL),
          keyed: providerConfig(server.baseURL, { apiKeyEnv: 'PROBE_TEST_KEY' }),
        },
        prices: {},
        env: {},
      },
    );
    assert.deepEqual(
      results.map((result) => result.outcome),
      ['error', 'error', 'native'],
    );
    assert.equal(results[0]!.detail, 'provider "nowhere" is not in config.json');
    assert.match(results[1]!.detail, /PROBE_TEST_KEY, which is not set/);
    assert.equal(results[1]!.fix, 'export PROBE_TEST_KEY=<your key>');
    assert.equal(server.chatRequests().length, 1, 'only the configured, keyed-or-keyless model was asked');
  });

  it('never prints the key an endpoint refused', async () => {
    const guarded = await startFakeOpenAIServer({ requireApiKey: 'the-right-key' });
    try {
      const secret = 'sk-probe-secret-0123456789abcdef';
      const [result] = await probeToolCalling([{ provider: 'keyed', model: 'm' }], {
        providers: { keyed: providerConfig(guarded.baseURL, { apiKeyEnv: 'PROBE_TEST_KEY' }) },
        prices: {},
        env: { PROBE_TEST_KEY: secret },
      });
      assert.equal(result!.outcome, 'error');
      assert.match(result!.detail, /rejected the API key \(401\)/);
      assert.ok(!JSON.stringify(result).includes(secret));
    } finally {
      await guarded.close();
    }
  });

  it('advises the llama.cpp switch when the server says tools need --jinja', async () => {
    server.enqueue({ error: { status: 500, message: 'tools param requires --jinja flag' } });
    const [result] = await probeToolCalling([{ provider: 'llamacpp', model: 'any' }], {
      providers: { llamacpp: providerConfig(server.baseURL) },
      prices: {},
      env: {},
    });
    assert.equal(result!.outcome, 'error');
    assert.equal(result!.endpoint, 'llama.cpp');
    assert.match(result!.fix ?? '', /start llama-server with --jinja/);
  });

  it('advises a tool-capable model when Ollama says the model does not support tools', async () => {
    server.enqueue({ error: { status: 400, message: 'registry.ollama.ai/library/gemma3:4b does not support tools' } });
    const [result] = await probeToolCalling([{ provider: 'ollama', model: 'gemma3:4b' }], {
      providers: { ollama: providerConfig(server.baseURL) },
      prices: {},
      env: {},
    });
    assert.equal(result!.outcome, 'error');
    assert.match(result!.detail, /does not support tools/);
    assert.match(result!.fix ?? '', /`ollama show gemma3:4b` lists "tools"/);
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ModelChainError } from '../../src/errors/model-chain-error.js';
import { ProviderRequestError } from '../../src/errors/provider-request-error.js';
import type { ChatModel } from '../../src/providers/chat-types.js';
import { FailoverChatModel, type ChainEntry, type FailoverNotice } from '../../src/providers/failover-chat-model.js';
import { ModelCooldowns } from '../../src/providers/model-cooldowns.js';
import { createProviderClient } from '../../src/providers/provider-client.js';
import { isProviderOutage } from '../../src/providers/provider-outage.js';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedResponse } from '../support/fake-openai-server.js';
import { ask, fastRetries, providerConfig } from './provider-fixtures.js';
import { closedPort } from '../support/closed-port.js';

const COOLDOWN_MS = 60_000;
const MAX_WAIT_MS = 5_000;

describe("FailoverChatModel: an agent's chain of models, through the real client against fake endpoints", () => {
  let primary: FakeOpenAIServer;
  let secondary: FakeOpenAIServer;
  let deadURL: string;
  let clock: number;
  let cooldowns: ModelCooldowns;
  let notices: FailoverNotice[];

  before(async () => {
    primary = await startFakeOpenAIServer({ models: ['big'], rejectUnknownModels: false });
    secondary = await startFakeOpenAIServer();
    deadURL = `http://127.0.0.1:${await closedPort()}/v1`;
  });
  beforeEach(() => {
    primary.reset();
    secondary.reset();
    clock = Date.parse('2026-12-07T12:00:00Z');
    cooldowns = new ModelCooldowns();
    notices = [];
  });
  after(async () => {
    await primary.close();
    await secondary.close();
  });

  function entry(
    provider: string,
    baseURL: string,
    model: string,
    options: { last?: boolean; timeoutMs?: number; maxRetries?: number } = {},
  ): ChainEntry {
    const client = createProviderClient(
      provider,
      providerConfig(baseURL, { maxRetries: options.maxRetries ?? 1, timeoutMs: options.timeoutMs ?? 10_000 }),
      { env: {}, prices: {}, retryPolicy: fastRetries },
    );
    return {
      provider,
      model,
      chatModel: client.chatModel(model, { giveUpOverRetryAfterMs: options.last ? undefined : MAX_WAIT_MS }),
    };
  }

  function chain(...entries: ChainEntry[]): FailoverChatModel {
    return new FailoverChatModel(entries, { agent: 'coder', cooldowns, cooldownMs: COOLDOWN_MS, now: () => clock });
  }

  const call = (model: ChatModel, text = 'hello') =>
    model.complete(ask(text, { onFailover: (notice) => notices.push(notice) }));

  const failures: Record<
    string,
    { reply?: ScriptedResponse; baseURL?: () => string; timeoutMs?: number; kind: string }
  > = {
    'a 429 asking to wait longer than failover.maxWait': {
      reply: { error: { status: 429, message: 'rate limited', headers: { 'retry-after': '120' } } },
      kind: 'outage',
    },
    'a 503 storm that outlasts the retries': {
      reply: { error: { status: 503, message: 'overloaded' } },
      kind: 'outage',
    },
    'a refused connection': { baseURL: () => deadURL, kind: 'outage' },
    'a timeout': { reply: { delayMs: 2_000, content: 'too late' }, timeoutMs: 300, kind: 'outage' },
    'a model the endpoint does not have (404)': {
      reply: { error: { status: 404, message: "The model 'gone' does not exist", code: 'model_not_found' } },
      kind: 'model-not-found',
    },
  };

  for (const [name, failure] of Object.entries(failures)) {
    it(`${name} moves the call to the next entry, which answers; the failed entry cools down`, async () => {
      if (failure.reply) primary.enqueue(failure.reply, failure.reply, failure.reply);
      secondary.enqueue({ content: 'from the second entry' });
      const model = chain(
        entry('first', failure.baseURL?.() ?? primary.baseURL, 'gone', { timeoutMs: failure.timeoutMs ?? 10_000 }),
        entry('second', secondary.baseURL, 'small', { last: true }),
      );
      const response = await call(model);
      assert.equal(response.content, 'from the second entry');
      assert.deepEqual(
        [response.provider, response.requestedModel],
        ['second', 'small'],
        'usage counts under the entry that answered',
      );
      assert.equal(notices.length, 1);
      assert.deepEqual(
        { from: notices[0]!.from, to: notices[0]!.to, kind: notices[0]!.kind },
        { from: 'first/gone', to: 'second/small', kind: failure.kind },
      );
      assert.ok(notices[0]!.cooledUntilMs! >= clock + COOLDOWN_MS);
      if (name.startsWith('a 429')) {
        assert.equal(
          primary.chatRequests().length,
          1,
          'a long Retry-After is not waited for when another entry can answer',
        );
        assert.equal(notices[0]!.cooledUntilMs, clock + 120_000, 'the cooldown honours Retry-After');
      }
    });
  }

  it('a 401 is not passed over silently: reported as auth, the entry skipped for the rest of the session, even once cooled', async () => {
    primary.enqueue({ error: { status: 401, message: 'Incorrect API key provided' } });
    secondary.enqueue({ content: 'one' }, { content: 'two' });
    const model = chain(
      entry('first', primary.baseURL, 'big'),
      entry('second', secondary.baseURL, 'small', { last: true }),
    );
    assert.equal((await call(model)).content, 'one');
    assert.equal(notices[0]!.kind, 'auth');
    assert.equal(notices[0]!.cooledUntilMs, undefined);
    assert.match(notices[0]!.reason, /rejected the API key \(401\)/);
    clock += 24 * 3_600_000;
    assert.equal((await call(model)).content, 'two');
    assert.equal(primary.chatRequests().length, 1, 'the refused entry is not asked again this session');
  });

  it('calls skip an entry while it cools, and go back up the chain once it has cooled', async () => {
    primary.enqueue(
      { error: { status: 503, message: 'down' } },
      { error: { status: 503, message: 'down' } },
      { content: 'first is back' },
    );
    secondary.enqueue({ content: 'second, 1' }, { content: 'second, 2' });
    const model = chain(
      entry('first', primary.baseURL, 'big'),
      entry('second', secondary.baseURL, 'small', { last: true }),
    );
    assert.equal((await call(model)).content, 'second, 1');
    clock += COOLDOWN_MS - 1;
    assert.equal((await call(model)).content, 'second, 2', 'still cooling: asked the second entry directly');
    assert.equal(
      primary.chatRequests().length,
      2,
      "the cooling entry was not asked (its two attempts were the first call's)",
    );
    clock += 2;
    assert.equal((await call(model)).content, 'first is back');
    assert.equal(notices.length, 1);
  });

  it('when every entry fails, the call fails with a ModelChainError that is an outage when one was down', async () => {
    primary.enqueue({ error: { status: 503, message: 'down' } }, { error: { status: 503, message: 'down' } });
    secondary.enqueue({ error: { status: 401, message: 'bad key' } });
    const model = chain(
      entry('first', primary.baseURL, 'big'),
      entry('second', secondary.baseURL, 'small', { last: true }),
    );
    const error = await call(model).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ModelChainError);
    assert.equal(error.kind, 'outage');
    assert.equal(isProviderOutage(error), true);
    assert.match(
      error.message,
      /^Every model of coder's failover chain failed: first\/big: .*503.*; second\/small: .*401/,
    );
    assert.deepEqual(
      notices.map((notice) => [notice.from, notice.to]),
      [
        ['first/big', 'second/small'],
        ['second/small', undefined],
      ],
    );
  });

  it('when every entry is cooling, a call is not refused without a request: it tries them, soonest back first', async () => {
    primary.enqueue(
      { error: { status: 503, message: 'down' } },
      { error: { status: 503, message: 'down' } },
      { content: 'primary is back first' },
    );
    secondary.enqueue(
      { error: { status: 503, message: 'down', headers: { 'retry-after': '600' } } },
      { error: { status: 503, message: 'down', headers: { 'retry-after': '600' } } },
    );
    const model = chain(
      entry('first', primary.baseURL, 'big'),
      entry('second', secondary.baseURL, 'small', { last: true }),
    );
    await assert.rejects(call(model), ModelChainError);
    clock += 1_000; // both still cooling: the first for 60 s, the second for the 600 s it asked for
    assert.equal((await call(model)).content, 'primary is back first');
    assert.equal(secondary.chatRequests().length, 2, 'the entry that cools longer was not asked again');
  });

  it('a refusal of the request itself (400) is not failed over: the next entry is not asked', async () => {
    primary.enqueue({ error: { status: 400, message: 'invalid tool schema' } });
    const model = chain(
      entry('first', primary.baseURL, 'big'),
      entry('second', secondary.baseURL, 'small', { last: true }),
    );
    const error = await call(model).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ProviderRequestError);
    assert.equal(error.status, 400);
    assert.equal(secondary.chatRequests().length, 0);
    assert.deepEqual(notices, []);
  });

  it("a context-length refusal moves on only when the next entry's window is known to be larger", async () => {
    const tooLong: ScriptedResponse = {
      error: { status: 400, message: "This model's maximum context length is 8192 tokens" },
    };
    const windows = (model: ChainEntry, size: number | undefined): ChainEntry => ({
      ...model,
      chatModel: Object.assign(Object.create(model.chatModel) as ChatModel, { contextWindow: async () => size }),
    });
    primary.enqueue(tooLong, tooLong);
    secondary.enqueue({ content: 'fits here' });
    const larger = chain(
      windows(entry('first', primary.baseURL, 'big'), 8_192),
      windows(entry('second', secondary.baseURL, 'small', { last: true }), 128_000),
    );
    assert.equal((await call(larger)).content, 'fits here');
    assert.equal(notices[0]!.kind, 'context-length');
    cooldowns = new ModelCooldowns();
    const unknown = chain(
      windows(entry('first', primary.baseURL, 'big'), 8_192),
      windows(entry('second', secondary.baseURL, 'small', { last: true }), undefined),
    );
    await assert.rejects(call(unknown), /maximum context length/);
    assert.equal(secondary.chatRequests().length, 1, 'not asked when its window is not known to be larger');
  });
});

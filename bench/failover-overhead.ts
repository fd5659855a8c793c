/**
 * What a failover chain costs. Through the real `openai` client against the fake OpenAI-compatible server on
 * 127.0.0.1 (an instant model), the same calls are made, interleaved round by round:
 *   - plain: the agent's one model (an OpenAIChatModel), as an agent without a chain talks to it;
 *   - chain: a FailoverChatModel whose first entry answers (a healthy chain: the overhead every call pays);
 * then how long a call takes to move on when its first entry is down, with the default retry policy of a provider
 * (maxRetries 4): a refused connection (retried twice, after short waits) and a 503 (retried with backoff; here
 * with maxRetries 1 to keep the run short), each against a healthy second entry.
 *
 *   node --import tsx bench/failover-overhead.ts [calls per round] [rounds]     (default 200 calls, 6 rounds)
 */
import { performance } from 'node:perf_hooks';
import { providerSchema } from '../src/config/config-schema.js';
import type { ChatModel } from '../src/providers/chat-types.js';
import { FailoverChatModel } from '../src/providers/failover-chat-model.js';
import { ModelCooldowns } from '../src/providers/model-cooldowns.js';
import { createProviderClient } from '../src/providers/provider-client.js';
import { startFakeOpenAIServer } from '../test/support/fake-openai-server.js';
import { closedPort } from '../test/support/closed-port.js';

const callsPerRound = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 6);

const server = await startFakeOpenAIServer({ fallback: () => ({ content: 'ok' }) });
const down = await startFakeOpenAIServer({ fallback: () => ({ error: { status: 503, message: 'down' } }) });
const refusedPort = await closedPort();

const model = (name: string, baseURL: string, maxRetries = 4): ChatModel =>
  createProviderClient(name, providerSchema.parse({ baseURL, maxRetries }), { env: {}, prices: {} }).chatModel('m', {
    giveUpOverRetryAfterMs: 10_000,
  });
const chainOf = (...entries: Array<[string, ChatModel]>): FailoverChatModel =>
  new FailoverChatModel(
    entries.map(([provider, chatModel]) => ({ provider, model: 'm', chatModel })),
    { agent: 'bench', cooldowns: new ModelCooldowns(), cooldownMs: 0 },
  );

const plain = model('a', server.baseURL);
const healthy = chainOf(['a', model('a', server.baseURL)], ['b', model('b', server.baseURL)]);
const request = { messages: [{ role: 'user' as const, content: 'hi' }], tools: [] };

async function perCall(target: ChatModel): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < callsPerRound; index += 1) await target.complete(request);
  return (performance.now() - started) / callsPerRound;
}

// Warm up both paths (connections, JIT).
await perCall(plain);
await perCall(healthy);
const plainTimes: number[] = [];
const chainTimes: number[] = [];
// Which arm goes first alternates by round, so that neither always pays for what the other left (GC, sockets).
for (let round = 0; round < rounds; round += 1) {
  if (round % 2 === 0) {
    plainTimes.push(await perCall(plain));
    chainTimes.push(await perCall(healthy));
  } else {
    chainTimes.push(await perCall(healthy));
    plainTimes.push(await perCall(plain));
  }
}

async function timeToMoveOn(first: ChatModel): Promise<number> {
  const chain = chainOf(['down', first], ['b', model('b', server.baseURL)]);
  const started = performance.now();
  await chain.complete(request);
  return performance.now() - started;
}
const refused = await timeToMoveOn(model('down', `http://127.0.0.1:${refusedPort}/v1`));
const unavailable = await timeToMoveOn(model('down', down.baseURL, 1));

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number): string => `${value.toFixed(3)} ms`;
process.stdout.write(
  [
    `calls: ${rounds} rounds of ${callsPerRound}, interleaved; medians of the rounds' per-call means`,
    `plain model (baseline):        ${ms(median(plainTimes))} per call`,
    `healthy chain (first answers): ${ms(median(chainTimes))} per call  (${(median(chainTimes) / median(plainTimes)).toFixed(3)}×, +${ms(median(chainTimes) - median(plainTimes))})`,
    `move on after a refused connection (2 retries): ${ms(refused)}`,
    `move on after a 503 (1 retry with backoff):     ${ms(unavailable)}`,
    '',
  ].join('\n'),
);
await server.close();
await down.close();

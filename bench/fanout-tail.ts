/**
 * The fan-out tail: how close 8 delegations fanned out in one orchestrator turn come to their critical path.
 *
 * The fake model answers every request after `latency` ms (default 500): the orchestrator delegates to 8 specialists
 * in one turn; each specialist calls `fs__list_allowed_directories` (the built-in filesystem server, in-process),
 * then completes; the orchestrator then completes. The critical path is four model latencies (orchestrator, a
 * specialist's two turns, orchestrator); everything the runtime does beyond them (journal, events, delegation
 * set-up, HTTP) is overhead. Measured through the built CLI (`mux-swarm run --task … -f stream-json`), from the
 * first model request the server sees to the `result` line on stdout, `rounds` times (default 2). Printed per
 * round: the efficiency (critical path / measured) and where the overhead went (from the request times at the
 * server). Exit 1 when a round's efficiency is below `--min` per cent (default 95).
 *
 *   npm run bench:fanout                                                 (builds first)
 *   node --import tsx bench/fanout-tail.ts [rounds] [latency-ms] [--min P]
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { startFakeOpenAIServer, type FakeChatBody } from '../test/support/fake-openai-server.js';
import { createProjectFixture } from '../test/support/project-fixture.js';
import { CLI } from '../test/support/run-cli.js';

const positional = process.argv
  .slice(2)
  .filter((argument, index, all) => !argument.startsWith('--') && all[index - 1] !== '--min');
const rounds = Number(positional[0] ?? 2);
const latency = Number(positional[1] ?? 500);
const minFlag = process.argv.indexOf('--min');
const minEfficiency = minFlag === -1 ? 95 : Number(process.argv[minFlag + 1]);
const SPECIALISTS = Array.from({ length: 8 }, (_, index) => `s${index + 1}`);
const criticalPath = 4 * latency;

const complete = {
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done', artifacts: [] } }],
};
function reply(body: FakeChatBody) {
  const answered = body.messages.at(-1)?.role === 'tool';
  if (body.model === 'orchestrator-model') {
    return {
      delayMs: latency,
      ...(answered
        ? complete
        : {
            toolCalls: SPECIALISTS.map((agent) => ({
              name: 'delegate',
              arguments: { agent, task: `task for ${agent}` },
            })),
          }),
    };
  }
  return {
    delayMs: latency,
    ...(answered ? complete : { toolCalls: [{ name: 'fs__list_allowed_directories', arguments: {} }] }),
  };
}

const server = await startFakeOpenAIServer({ fallback: reply });
const project = createProjectFixture('mux-swarm-bench-fanout-');
project.write('config.json', {
  providers: { fake: { baseURL: server.baseURL, maxRetries: 0, timeoutMs: 20_000 } },
  mcpServers: { fs: { builtin: 'filesystem' } },
  filesystem: { workdir: 'work' },
});
project.write('swarm.json', {
  orchestrator: {
    description: 'plans',
    provider: 'fake',
    model: 'orchestrator-model',
    systemPrompt: 'You are the orchestrator.',
  },
  agents: SPECIALISTS.map((name) => ({
    name,
    description: `specialist ${name}`,
    provider: 'fake',
    model: `${name}-model`,
    systemPrompt: `You are ${name}.`,
    mcpServers: ['fs'],
  })),
  limits: { maxConcurrentDelegations: SPECIALISTS.length },
});

/** One run: the times of its requests at the server and of its result line, relative to its first request. */
async function round(): Promise<{ requests: number[]; result: number }> {
  const before = server.chatRequests().length;
  let resultAt: number | undefined;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'run', '--task', 'fan out to every specialist', '--fresh', '-f', 'stream-json'],
      {
        cwd: project.directory,
        env: { PATH: process.env.PATH, HOME: project.directory },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let pending = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      if (resultAt === undefined && pending.includes('"type":"result"'))
        resultAt = performance.timeOrigin + performance.now();
      pending = pending.slice(pending.lastIndexOf('\n') + 1);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && resultAt !== undefined
        ? resolve()
        : reject(new Error(`mux-swarm run exited ${code}: ${stderr.slice(-2_000)}`)),
    );
  });
  const times = server
    .chatRequests()
    .slice(before)
    .map((request) => request.time);
  if (times.length !== 2 + 2 * SPECIALISTS.length)
    throw new Error(`expected ${2 + 2 * SPECIALISTS.length} model calls, got ${times.length}`);
  return { requests: times.map((time) => time - times[0]!), result: resultAt! - times[0]! };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
let failed = false;
try {
  for (let index = 1; index <= rounds; index++) {
    const { requests, result } = await round();
    const n = SPECIALISTS.length;
    const firstRound = requests.slice(1, 1 + n);
    const secondRound = requests.slice(1 + n, 1 + 2 * n);
    const efficiency = (criticalPath / result) * 100;
    failed ||= efficiency < minEfficiency;
    console.log(
      `round ${index}: ${ms(result)} against ${criticalPath} ms, efficiency ${efficiency.toFixed(1)} % (target ≥ ${minEfficiency} %); overhead ${ms(result - criticalPath)}:`,
      `delegations start ${ms(firstRound[0]! - latency)} after the orchestrator's answer and spread over ${ms(firstRound.at(-1)! - firstRound[0]!)};`,
      `their second requests ${ms(secondRound[0]! - firstRound[0]! - latency)} after the first answer, spread over ${ms(secondRound.at(-1)! - secondRound[0]!)};`,
      `the orchestrator asks again ${ms(requests.at(-1)! - secondRound.at(-1)! - latency)} after the last specialist's answer;`,
      `result ${ms(result - requests.at(-1)! - latency)} after its answer`,
    );
  }
} finally {
  await server.close();
  project.remove();
}
if (failed) process.exitCode = 1;

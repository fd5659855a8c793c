/**
 * What one agent turn costs, side by side with OpenAI Agents JS on the same fake model.
 *
 * A turn is a model call the fake OpenAI-compatible server answers at once with one tool call, plus that tool call:
 *   - mux-swarm: `mux-swarm run --task … --fresh` (the built CLI, a process of its own): the orchestrator calls the
 *     in-process filesystem server's `fs__list_allowed_directories`; every model call, tool intent and outcome and
 *     event journaled in the run's SQLite database (WAL, synchronous=FULL), failure memory on, as any run;
 *   - Agents JS: `bench/support/agents-js-turns.mjs` (a process of its own): one agent whose function tool returns
 *     the same text, nothing kept.
 * Both ask the same server over HTTP with the `openai` client, not streamed. The server times every request; a
 * turn's cost is the time between two requests of one run, so process start and the final answer do not count,
 * and neither run shares its event loop with the server. The runs take turns (mux-swarm, Agents JS, …) so that a
 * slow spell of the machine falls on both. Printed: each runtime's median and p90 turn over all rounds, and the
 * ratio of medians; exit 1 when mux-swarm's median turn is more than `--max-ratio` (default 1.0) times Agents JS's.
 *
 *   npm run bench:turn                                                    (builds first)
 *   node --import tsx bench/turn-overhead.ts [turns] [rounds] [--max-ratio R]   (default 200 turns, 3 rounds)
 *   npm run bench:turn -- --otlp      mux-swarm sends OpenTelemetry traces to a local OTLP/HTTP receiver (docs/telemetry.md)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeOpenAIServer, type FakeChatBody } from '../test/support/fake-openai-server.js';
import { startOtlpReceiver } from '../test/support/otlp-receiver.js';
import { createProjectFixture, fakeAgent } from '../test/support/project-fixture.js';
import { CLI } from '../test/support/run-cli.js';
import { percentile } from './support/percentile.js';

const positional = process.argv
  .slice(2)
  .filter((argument, index, all) => !argument.startsWith('--') && all[index - 1] !== '--max-ratio');
const turns = Number(positional[0] ?? 200);
const rounds = Number(positional[1] ?? 3);
const ratioFlag = process.argv.indexOf('--max-ratio');
const maxRatio = ratioFlag === -1 ? 1 : Number(process.argv[ratioFlag + 1]);
if (!Number.isInteger(turns) || turns < 10 || !Number.isInteger(rounds) || rounds < 1 || !(maxRatio > 0)) {
  throw new Error('usage: node --import tsx bench/turn-overhead.ts [turns ≥ 10] [rounds] [--max-ratio R]');
}
const AGENTS_JS = fileURLToPath(new URL('./support/agents-js-turns.mjs', import.meta.url));

/** Each run names its own model, so the server tells the runs (and the runtimes) apart. */
function reply(body: FakeChatBody) {
  const toolResults = body.messages.filter((message) => message.role === 'tool').length;
  const agentsJs = body.model.startsWith('agents-js');
  if (toolResults < turns)
    return {
      toolCalls: [{ name: agentsJs ? 'list_allowed_directories' : 'fs__list_allowed_directories', arguments: {} }],
    };
  return agentsJs
    ? { content: 'done' }
    : { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done', artifacts: [] } }] };
}

const server = await startFakeOpenAIServer({ fallback: reply });
const receiver = process.argv.includes('--otlp') ? await startOtlpReceiver() : undefined;
const project = createProjectFixture('mux-swarm-bench-turn-');
project.write('config.json', {
  providers: { fake: { baseURL: server.baseURL, maxRetries: 0, timeoutMs: 20_000 } },
  mcpServers: { fs: { builtin: 'filesystem' } },
  filesystem: { workdir: 'work' },
});
const noStuckRule = { repeatedCalls: false, idleTurns: false };

function spawnAndWait(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: project.directory,
      env: {
        PATH: process.env.PATH,
        HOME: project.directory,
        ...(receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-2_000)}`)),
    );
  });
}

/** Runs one runtime once; returns the gaps between its consecutive requests, in milliseconds. */
async function turnGaps(runtime: 'mux-swarm' | 'agents-js', round: number): Promise<number[]> {
  const model = `${runtime}-${round}`;
  if (runtime === 'mux-swarm') {
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { model, mcpServers: ['fs'], maxTurns: turns + 5 }),
      agents: [],
      limits: { maxTurns: turns + 5, stuck: noStuckRule },
    });
    await spawnAndWait(process.execPath, [
      CLI,
      'run',
      '--task',
      'List the allowed directories until told to stop.',
      '--fresh',
    ]);
  } else {
    await spawnAndWait(process.execPath, [AGENTS_JS, server.baseURL, model, String(turns + 5), project.directory]);
  }
  const times = server
    .chatRequests()
    .filter((request) => request.body.model === model)
    .map((request) => request.time);
  if (times.length !== turns + 1) throw new Error(`${runtime} made ${times.length} model calls, expected ${turns + 1}`);
  return times.slice(1).map((time, index) => time - times[index]!);
}

const gaps = { 'mux-swarm': [] as number[], 'agents-js': [] as number[] };
try {
  for (let round = 1; round <= rounds; round++) {
    for (const runtime of ['mux-swarm', 'agents-js'] as const) {
      const roundGaps = await turnGaps(runtime, round);
      gaps[runtime].push(...roundGaps);
      console.log(
        `round ${round} ${runtime.padEnd(9)}: median ${percentile(roundGaps, 0.5).toFixed(2)} ms a turn over ${roundGaps.length} turns`,
      );
    }
  }
} finally {
  await server.close();
  await receiver?.close();
  project.remove();
}
if (receiver) console.log(`\ntraces: ${receiver.spans().length} spans received`);
const mux = percentile(gaps['mux-swarm'], 0.5);
const agents = percentile(gaps['agents-js'], 0.5);
console.log(`\n| runtime | median turn | p90 turn |\n|---|---|---|`);
for (const runtime of ['mux-swarm', 'agents-js'] as const) {
  console.log(
    `| ${runtime === 'mux-swarm' ? 'mux-swarm (every row journaled, WAL synced off the event loop)' : 'OpenAI Agents JS 0.14 (keeps nothing)'} | ${percentile(gaps[runtime], 0.5).toFixed(2)} ms | ${percentile(gaps[runtime], 0.9).toFixed(2)} ms |`,
  );
}
console.log(`\nmux-swarm / Agents JS: ${(mux / agents).toFixed(2)}× (target ≤ ${maxRatio}×)`);
if (mux > agents * maxRatio) process.exitCode = 1;

/**
 * Time from a restart to the first resumed model call: how long `mux-swarm run goal.md` takes, from spawning the
 * built CLI to the fake OpenAI-compatible server receiving its first chat request, for a run whose journal holds
 * N recorded turns (each with two tool calls), against a fresh run of the same goal.
 *
 * Each journal is made once: a scripted run that never completes is killed at `turn-recorded:N`
 * (MUX_SWARM_FAIL_AT), and its state directory saved. Each measurement puts that state directory back in place,
 * starts the CLI, and kills it (SIGKILL) as soon as the first request arrives; the cases take turns, so that a slow
 * spell of the machine spreads over all of them. The first request is checked to carry the N recorded turns, so a
 * resume that silently started over would show. Reports median, min and max.
 *
 *   npm run build && node --import tsx bench/resume-latency.ts [turns,turns,…] [repetitions]
 *   e.g. node --import tsx bench/resume-latency.ts 200,1000 15      (default: 1,200,1000 and 10)
 */
import { spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startFakeOpenAIServer, type FakeChatBody, type ScriptedResponse } from '../test/support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../test/support/project-fixture.js';
import { CLI } from '../test/support/run-cli.js';

const turnCounts = (process.argv[2] ?? '1,200,1000').split(',').map(Number);
const repetitions = Number(process.argv[3] ?? 10);
if (
  turnCounts.some((turns) => !Number.isInteger(turns) || turns < 1) ||
  !Number.isInteger(repetitions) ||
  repetitions < 1
) {
  throw new Error('usage: node --import tsx bench/resume-latency.ts [turns,turns,…] [repetitions]');
}

/** Called with each chat request as it arrives; the model always asks for two cheap read-only tool calls. */
let onChatRequest: ((body: FakeChatBody, arrivedAt: number) => void) | undefined;
const server = await startFakeOpenAIServer({
  fallback: (body): ScriptedResponse => {
    onChatRequest?.(body, performance.now());
    return {
      toolCalls: [
        { name: 'fs__list_allowed_directories', arguments: {} },
        { name: 'fs__list_allowed_directories', arguments: {} },
      ],
    };
  },
});

interface Started {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

function startCli(project: ProjectFixture, failAt?: string): Started {
  const child = spawn(process.execPath, [CLI, 'run', 'goal.md'], {
    cwd: project.directory,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...(failAt ? { MUX_SWARM_FAIL_AT: failAt } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code !== null && code !== 0
        ? reject(new Error(`mux-swarm exited ${code}: ${stderr}`))
        : resolve({ code, signal }),
    );
  });
  return { exit, kill: () => child.kill('SIGKILL') };
}

function createProject(maxTurns: number): ProjectFixture {
  const project = createProjectFixture('mux-swarm-bench-resume-');
  project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
  project.write('swarm.json', {
    orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'], maxTurns }),
    agents: [],
    limits: { maxTurns },
  });
  project.write('goal.md', '# Busy\n\nList the allowed directories, over and over.\n');
  return project;
}

/** Milliseconds from spawning the CLI to the first chat request; checks that request carries `recordedTurns` turns. */
async function timeToFirstRequest(project: ProjectFixture, recordedTurns: number): Promise<number> {
  let arrived!: (value: { body: FakeChatBody; at: number }) => void;
  const first = new Promise<{ body: FakeChatBody; at: number }>((resolve) => (arrived = resolve));
  onChatRequest = (body, at) => {
    onChatRequest = undefined;
    arrived({ body, at });
  };
  const started = performance.now();
  const cli = startCli(project);
  const { body, at } = await Promise.race([
    first,
    cli.exit.then(() => Promise.reject(new Error('mux-swarm exited before its first model call'))),
  ]);
  cli.kill();
  await cli.exit;
  const turns = body.messages.filter((message) => message.role === 'assistant').length;
  if (turns !== recordedTurns)
    throw new Error(
      `the first request carried ${turns} turns, expected ${recordedTurns}: the run did not resume where it stopped`,
    );
  return at - started;
}

function summary(samples: number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

/** One kind of start: a fresh run, or a resume of a saved journal; `reset` puts its state directory back. */
interface Case {
  label: string;
  turns: number;
  project: ProjectFixture;
  reset(): void;
  prepareMs?: number;
  samples: number[];
}

const maxTurns = Math.max(...turnCounts) + 10;
const projects: ProjectFixture[] = [];
try {
  const fresh = createProject(maxTurns);
  projects.push(fresh);
  const cases: Case[] = [
    {
      label: 'fresh run',
      turns: 0,
      project: fresh,
      reset: () => rmSync(join(fresh.directory, 'work', '.mux-swarm'), { recursive: true, force: true }),
      samples: [],
    },
  ];
  for (const turns of turnCounts) {
    const project = createProject(maxTurns);
    projects.push(project);
    const state = join(project.directory, 'work', '.mux-swarm');
    const saved = join(project.directory, 'saved-state');
    const preparing = performance.now();
    const killed = await startCli(project, `turn-recorded:${turns}`).exit;
    if (killed.signal !== 'SIGKILL')
      throw new Error(`the run meant to stop at turn ${turns} was not killed (${JSON.stringify(killed)})`);
    const prepareMs = performance.now() - preparing;
    cpSync(state, saved, { recursive: true });
    const reset = (): void => {
      rmSync(state, { recursive: true, force: true });
      cpSync(saved, state, { recursive: true });
    };
    cases.push({ label: 'resumed run', turns, project, reset, prepareMs, samples: [] });
  }
  // Interleaved, so that a slow spell of the machine spreads over every case alike.
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    for (const entry of cases) {
      entry.reset();
      entry.samples.push(await timeToFirstRequest(entry.project, entry.turns));
    }
  }
  const freshSamples = cases[0]!.samples;

  const header = `${'run'.padEnd(12)} ${'recorded turns'.padStart(14)} ${'tool calls'.padStart(10)} ${'median ms'.padStart(10)} ${'min ms'.padStart(8)} ${'max ms'.padStart(8)}   (journal made in)`;
  const lines = cases.map((row) => {
    const stats = summary(row.samples);
    return `${row.label.padEnd(12)} ${String(row.turns).padStart(14)} ${String(row.turns * 2).padStart(10)} ${stats.median.toFixed(0).padStart(10)} ${stats.min.toFixed(0).padStart(8)} ${stats.max.toFixed(0).padStart(8)}   ${row.prepareMs === undefined ? '' : `${(row.prepareMs / 1000).toFixed(1)} s`}`;
  });
  const freshMedian = summary(freshSamples).median;
  const difference = (milliseconds: number): string =>
    `${milliseconds >= 0 ? '+' : '−'}${Math.abs(milliseconds).toFixed(0)} ms`;
  const extra = cases
    .slice(1)
    .map((row) => `N=${row.turns}: ${difference(summary(row.samples).median - freshMedian)}`)
    .join(', ');
  process.stdout.write(
    `spawn → first chat request at the fake server, ${repetitions} repetitions each (node ${process.version})\n${header}\n${lines.join('\n')}\n` +
      `resuming costs over a fresh start: ${extra}\n`,
  );
} finally {
  onChatRequest = undefined;
  for (const project of projects) project.remove();
  await server.close();
}

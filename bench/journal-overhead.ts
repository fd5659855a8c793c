/**
 * The journal's cost per tool call. An agent on a scripted (instant) model makes many cheap tool calls
 * (`fs__list_allowed_directories`, in-process filesystem server) in batches of B per turn, through the real
 * runtime: every call journaled as an intent and an outcome, every turn's model call and tool results committed,
 * events stored, all in a real SQLite RunStore (WAL, synchronous=FULL, as mux-swarm runs it). The same calls
 * through ToolHub.call alone — one at a time, and B at once like a turn — give the floor; the difference is
 * what the journal and the runtime add per call. The run is repeated with synchronous=NORMAL to show the share
 * of the fsyncs. Per-turn times come from the scripted model (the time between two of its requests) and are
 * divided by B; median and p99 over turns, or over calls for the hub alone. Failure memory is on, as in `mux-swarm
 * run`, so every call also passes the failure tracker.
 *
 * With `secrets` > 0, that many random secret values are planted in the run's scrubber (as the environment and
 * config.json give them to `mux-swarm run`): every result is then scrubbed once before it is journaled.
 *
 *   node --import tsx bench/journal-overhead.ts [calls] [batch] [secrets]     (default 1000 calls in batches of 10, no secret)
 *   TMPDIR=/some/disk node --import tsx bench/journal-overhead.ts    (the database lives under TMPDIR)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatRequest, ChatResponse } from '../src/providers/chat-types.js';
import { createRuntimeHarness, type RuntimeHarness } from '../test/support/runtime-harness.js';
import { ScriptedChatModel } from '../test/support/scripted-chat-model.js';

const calls = Number(process.argv[2] ?? 1_000);
const batch = Number(process.argv[3] ?? 10);
const secretCount = Number(process.argv[4] ?? 0);
const secrets = Array.from(
  { length: secretCount },
  (_, index) => `sk-bench-${index}-${randomBytes(16).toString('hex')}`,
);
if (!Number.isInteger(calls) || !Number.isInteger(batch) || batch < 1 || calls < batch)
  throw new Error('usage: node --import tsx bench/journal-overhead.ts [calls] [batch] [secrets]');
const turns = Math.ceil(calls / batch);
const TOOL = 'fs__list_allowed_directories';
const userStoreDirectory = mkdtempSync(join(tmpdir(), 'mux-swarm-bench-user-store-'));
process.on('exit', () => rmSync(userStoreDirectory, { recursive: true, force: true }));

interface Stats {
  median: number;
  p99: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
  return { median: at(0.5), p99: at(0.99), mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length };
}

/**
 * The orchestrator's model: answers at once, like the scripted model of the tests but without recording (a copy of
 * the whole transcript per request would be the bench's own cost). Notes the time of every request.
 */
class InstantModel extends ScriptedChatModel {
  readonly requestTimes: number[] = [];

  constructor(private readonly toolTurns: number) {
    super('orchestrator-model', []);
  }

  override async complete(_request: ChatRequest): Promise<ChatResponse> {
    this.requestTimes.push(performance.now());
    const done = this.requestTimes.length > this.toolTurns;
    return {
      content: null,
      toolCalls: done
        ? [
            {
              id: 'complete',
              name: 'complete',
              arguments: JSON.stringify({ status: 'success', summary: 'listed', artifacts: [] }),
            },
          ]
        : Array.from({ length: batch }, (_, index) => ({ id: `call_${index}`, name: TOOL, arguments: '{}' })),
      toolCallsFromText: false,
      finishReason: 'tool_calls',
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 0, reasoningTokens: 0 },
      costUsd: 0,
      costSource: 'unknown',
      model: this.model,
      provider: this.provider,
      durationMs: 0,
      attempts: 1,
    };
  }
}

/** Drives one run of `turnCount` turns of `batch` calls each; returns per-call times (turn time / batch) and the total. */
async function runtimeRun(
  synchronous: 'FULL' | 'NORMAL',
  turnCount: number,
): Promise<{ perCall: number[]; totalMs: number; journaledCalls: number }> {
  const harness: RuntimeHarness = await createRuntimeHarness({
    orchestrator: { mcpServers: ['fs'], maxTurns: turnCount + 5 },
    // The same call again and again is what the no-progress detector stops; here it is the point. The detector still
    // observes every turn (its cost is measured), it only never ends the run.
    limits: { maxTurns: turnCount + 5, stuck: { repeatedCalls: false, idleTurns: false } },
    servers: { fs: { builtin: 'filesystem' } },
    script: {},
    // Failure memory on, as `mux-swarm run` has it: every tool call passes the failure tracker.
    userStore: userStoreDirectory,
    secrets,
  });
  const model = new InstantModel(turnCount);
  harness.models.set('orchestrator', model);
  try {
    harness.store.database.pragma(`synchronous = ${synchronous}`);
    const started = performance.now();
    const result = await harness.drive();
    const totalMs = performance.now() - started;
    if (result.subtype !== 'success') throw new Error(`the scripted run ended ${result.subtype}: ${result.result}`);
    const journaledCalls = (
      harness.store.database.prepare(`SELECT count(*) AS n FROM tool_calls WHERE name = ?`).get(TOOL) as { n: number }
    ).n;
    const times = model.requestTimes;
    const perCall = times.slice(1).map((time, index) => (time - times[index]!) / batch);
    return { perCall, totalMs, journaledCalls };
  } finally {
    await harness.close();
  }
}

/** The same calls through the hub alone: one at a time, then `batch` at once. */
async function hubOnly(): Promise<{ single: number[]; batched: number[] }> {
  const harness = await createRuntimeHarness({ servers: { fs: { builtin: 'filesystem' } }, script: {} });
  try {
    const hub = harness.run.dependencies.hub;
    for (let index = 0; index < 100; index += 1) await hub.call(TOOL, {});
    const single: number[] = [];
    for (let index = 0; index < turns * batch; index += 1) {
      const started = performance.now();
      const outcome = await hub.call(TOOL, {});
      single.push(performance.now() - started);
      if (outcome.isError) throw new Error(`${TOOL} failed: ${outcome.text}`);
    }
    const batched: number[] = [];
    for (let turn = 0; turn < turns; turn += 1) {
      const started = performance.now();
      await Promise.all(Array.from({ length: batch }, () => hub.call(TOOL, {})));
      batched.push((performance.now() - started) / batch);
    }
    return { single, batched };
  } finally {
    await harness.close();
  }
}

await runtimeRun('FULL', 20); // warm-up: JIT, module loading, the first database
const hub = await hubOnly();
const full = await runtimeRun('FULL', turns);
const normal = await runtimeRun('NORMAL', turns);
if (full.journaledCalls !== turns * batch)
  throw new Error(`journaled ${full.journaledCalls} calls, expected ${turns * batch}`);

const hubBatched = stats(hub.batched);
const row = (label: string, value: Stats, note = ''): string =>
  `${label.padEnd(44)} median ${value.median.toFixed(3).padStart(7)} ms   p99 ${value.p99.toFixed(3).padStart(7)} ms   mean ${value.mean.toFixed(3).padStart(7)} ms${note}`;
const overhead = (value: Stats): string =>
  `   (+${(value.median - hubBatched.median).toFixed(3)} ms median over the hub)`;
process.stdout.write(
  [
    `${turns * batch} calls of ${TOOL} in ${turns} turns of ${batch}, ${secretCount} secrets scrubbed (node ${process.version}); per call`,
    row('hub.call alone, one at a time', stats(hub.single)),
    row(`hub.call alone, ${batch} at once (per call)`, hubBatched),
    row('runtime + journal, synchronous=FULL', stats(full.perCall), overhead(stats(full.perCall))),
    row('runtime + journal, synchronous=NORMAL', stats(normal.perCall), overhead(stats(normal.perCall))),
    `whole run: FULL ${full.totalMs.toFixed(0)} ms (${(full.totalMs / (turns * batch)).toFixed(3)} ms a call), NORMAL ${normal.totalMs.toFixed(0)} ms (${(normal.totalMs / (turns * batch)).toFixed(3)} ms a call)`,
    '',
  ].join('\n'),
);

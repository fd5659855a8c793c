/**
 * What recording costs per model call. Every run journals, per model call, the hash of what was asked (agent,
 * configured model, the messages normalised and scrubbed, the tools offered) on the call's row: one pass over the
 * request's messages (canonical JSON, placeholders, the scrubber, sha-256) and two small SQLite statements. Here an
 * agent on an instant model reads a 4 KiB file each turn through the real filesystem server, so its transcript grows
 * by about 4 KiB a turn (a 300-turn run ends with requests of ~1.2 MiB); the run is made with and without the
 * recording decorator, alternately, in this process. Per-turn time is the time between two model requests; shown
 * as median, p99 and the mean of the last tenth of the turns (the largest requests), with and without, and the
 * difference. Secrets are planted in the scrubber as `mux-swarm run` has them from the environment.
 *
 *   node --import tsx bench/record-overhead.ts [turns] [rounds] [secrets]     (default 300 turns, 3 rounds, 3 secrets)
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatModel, ChatRequest, ChatResponse } from '../src/providers/chat-types.js';
import { RequestIdentifier, RequestNormaliser } from '../src/replay/request-identity.js';
import { RequestRecorder } from '../src/replay/request-recorder.js';
import { recordingModel } from '../src/replay/session-models.js';
import { SecretScrubber } from '../src/logging/secret-scrubber.js';
import { createRuntimeHarness } from '../test/support/runtime-harness.js';
import { ScriptedChatModel } from '../test/support/scripted-chat-model.js';

const turns = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 3);
const secretCount = Number(process.argv[4] ?? 3);
const secrets = Array.from(
  { length: secretCount },
  (_, index) => `sk-bench-${index}-${randomBytes(16).toString('hex')}`,
);
const TOOL = 'fs__read_text_file';

/** An instant model: reads data.txt each turn, completes after `turns`; notes when each request arrives. */
class InstantModel extends ScriptedChatModel {
  readonly requestTimes: number[] = [];
  inner: ChatModel;

  constructor() {
    super('orchestrator-model', []);
    const answer = (): Promise<ChatResponse> => {
      const done = this.requestTimes.length > turns;
      return Promise.resolve({
        content: null,
        toolCalls: done
          ? [
              {
                id: 'complete',
                name: 'complete',
                arguments: JSON.stringify({ status: 'success', summary: 'read', artifacts: [] }),
              },
            ]
          : [{ id: `call_${this.requestTimes.length}`, name: TOOL, arguments: JSON.stringify({ path: 'data.txt' }) }],
        toolCallsFromText: false,
        finishReason: 'tool_calls',
        usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 0, reasoningTokens: 0 },
        costUsd: 0,
        costSource: 'unknown',
        model: this.model,
        provider: this.provider,
        durationMs: 0,
        attempts: 1,
      });
    };
    this.inner = { provider: this.provider, model: this.model, complete: answer };
  }

  override complete(request: ChatRequest): Promise<ChatResponse> {
    this.requestTimes.push(performance.now());
    return this.inner.complete(request);
  }
}

/** One run; per-turn times in ms. */
async function oneRun(recorded: boolean): Promise<number[]> {
  const harness = await createRuntimeHarness({
    orchestrator: { mcpServers: ['fs'], maxTurns: turns + 5 },
    limits: { maxTurns: turns + 5, stuck: { repeatedCalls: false, idleTurns: false }, maxToolResultChars: 100_000 },
    servers: { fs: { builtin: 'filesystem' } },
    script: {},
    secrets,
  });
  writeFileSync(join(harness.workdir, 'data.txt'), `${'lorem ipsum dolor sit amet '.repeat(150)}\n`.slice(0, 4096));
  const model = new InstantModel();
  if (recorded) {
    const { run } = harness;
    const normaliser = new RequestNormaliser(
      { workdir: harness.workdir, runDirectory: harness.runDirectory, runId: run.runId },
      new SecretScrubber(secrets),
    );
    const orchestrator = run.dependencies.orchestrator;
    model.inner = recordingModel(
      model.inner,
      { agent: orchestrator.name, provider: orchestrator.provider, model: orchestrator.model },
      new RequestIdentifier(normaliser),
      new RequestRecorder(harness.store.database),
    );
  }
  harness.models.set('orchestrator', model);
  try {
    const result = await harness.drive();
    if (result.subtype !== 'success') throw new Error(`the run ended ${result.subtype}: ${result.result}`);
    if (recorded) {
      const hashed = harness.store.database
        .prepare(`SELECT count(*) FROM model_calls WHERE request_hash IS NOT NULL`)
        .pluck()
        .get() as number;
      if (hashed !== turns + 1) throw new Error(`${hashed} of ${turns + 1} model calls were recorded`);
    }
    const times = model.requestTimes;
    return times.slice(1).map((time, index) => time - times[index]!);
  } finally {
    await harness.close();
  }
}

function summary(samples: number[]): { median: number; p99: number; lastTenth: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
  const tail = samples.slice(Math.floor(samples.length * 0.9));
  return { median: at(0.5), p99: at(0.99), lastTenth: tail.reduce((sum, value) => sum + value, 0) / tail.length };
}

await oneRun(false); // warm-up: module loading, the filesystem server's first calls
const plain: number[] = [];
const withRecording: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  plain.push(...(await oneRun(false)));
  withRecording.push(...(await oneRun(true)));
}
const base = summary(plain);
const rec = summary(withRecording);
const ms = (value: number): string => `${value.toFixed(3)} ms`;
process.stdout.write(
  `record overhead: ${turns} turns × ${rounds} rounds, transcript +4 KiB a turn, ${secretCount} secrets in the scrubber\n`,
);
process.stdout.write(`                      median        p99           mean of last 10% of turns\n`);
process.stdout.write(
  `without recording     ${ms(base.median).padEnd(14)}${ms(base.p99).padEnd(14)}${ms(base.lastTenth)}\n`,
);
process.stdout.write(
  `with recording        ${ms(rec.median).padEnd(14)}${ms(rec.p99).padEnd(14)}${ms(rec.lastTenth)}\n`,
);
process.stdout.write(
  `difference per turn   ${ms(rec.median - base.median).padEnd(14)}${ms(rec.p99 - base.p99).padEnd(14)}${ms(rec.lastTenth - base.lastTenth)}\n`,
);

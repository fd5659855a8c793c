import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { cassetteFromJournal } from '../../src/replay/cassette-from-journal.js';
import { openDatabase } from '../../src/state/database.js';
import { RunStore } from '../../src/state/run-store.js';

const SECRET = 'sk-journal-cassette-0123456789';

describe('a cassette read from the journal', () => {
  const root = mkdtempSync(join(tmpdir(), 'mux-swarm-cassette-'));
  const workdir = join(root, 'work');
  const stateDirectory = join(workdir, '.mux-swarm');
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A run whose writer asks twice: the first call fails (an outage), the second asks the same and is answered. */
  function journal(options: { answered: boolean }): RunStore {
    const scrubber = new SecretScrubber([SECRET]);
    const store = new RunStore(openDatabase(stateDirectory, `${options.answered ? 'a' : 'b'}.db`), scrubber);
    const at = '2026-12-07T00:00:00.000Z';
    store.createRun({
      id: 'run-1',
      goalName: 'g',
      goalSource: 'goal.md',
      goalText: `use ${SECRET}`,
      mode: 'hierarchical',
      settings: {
        agents: [
          { name: 'orchestrator', role: 'orchestrator' },
          { name: 'writer', role: 'specialist' },
        ],
      },
      hostname: 'h',
      pid: 1,
      startedAt: at,
    });
    store.startDelegation({
      runId: 'run-1',
      id: 'd1',
      parentId: null,
      agent: 'writer',
      fromAgent: null,
      depth: 0,
      task: 'write',
      startedAt: at,
    });
    store.appendMessages([
      {
        runId: 'run-1',
        delegationId: 'd1',
        seq: 1,
        message: { role: 'system', content: `Working directory: ${workdir}.` },
        createdAt: at,
      },
      { runId: 'run-1', delegationId: 'd1', seq: 2, message: { role: 'user', content: 'write' }, createdAt: at },
    ]);
    const attach = store.database.prepare(
      `UPDATE model_calls SET request_hash = 'h1', request_tools = 't1', request_messages = 2 WHERE id = ?`,
    );
    store.database.prepare(`INSERT INTO request_tool_sets (hash, tools_json) VALUES ('t1', '[]')`).run();
    const first = store.startModelCall({
      runId: 'run-1',
      delegationId: 'd1',
      agent: 'writer',
      turn: 1,
      provider: 'fake',
      model: 'writer-model',
      startedAt: at,
    });
    attach.run(first);
    store.failModelCall(first, 'HTTP 503 from the provider', 10);
    if (options.answered) {
      const second = store.startModelCall({
        runId: 'run-1',
        delegationId: 'd1',
        agent: 'writer',
        turn: 1,
        provider: 'fake',
        model: 'writer-model',
        startedAt: at,
      });
      attach.run(second);
      store.finishModelCall(
        second,
        {
          inputTokens: 10,
          outputTokens: 2,
          cachedInputTokens: 0,
          reasoningTokens: 0,
          costUsd: 0.5,
          durationMs: 5,
          finishReason: 'stop',
        },
        {
          runId: 'run-1',
          delegationId: 'd1',
          seq: 3,
          message: { role: 'assistant', content: `done in ${workdir}, not telling ${SECRET}` },
          createdAt: at,
        },
      );
    }
    return store;
  }

  it("keeps the answer to a request asked again after a failure, with the run's places as placeholders and no secret", () => {
    const store = journal({ answered: true });
    try {
      const cassette = cassetteFromJournal(store.database, 'run-1', {
        workdir,
        stateDirectory,
        scrubber: new SecretScrubber([SECRET]),
        muxSwarmVersion: 'test',
      });
      assert.equal(cassette.modelCalls.length, 1);
      const [call] = cassette.modelCalls;
      assert.equal(call!.reply?.content, 'done in <workdir>, not telling [REDACTED]');
      assert.equal(call!.reply?.costUsd, 0.5);
      assert.equal(cassette.transcripts[0]!.messages[0]!.content, 'Working directory: <workdir>.');
      assert.equal(cassette.header.run.goalText, 'use [REDACTED]');
      assert.deepEqual(cassette.header.run.agents, ['writer']);
      assert.ok(!JSON.stringify(cassette).includes(SECRET));
    } finally {
      store.close();
    }
  });

  it('keeps a failure that was not asked again, to replay it as the same failure', () => {
    const store = journal({ answered: false });
    try {
      const cassette = cassetteFromJournal(store.database, 'run-1', {
        workdir,
        stateDirectory,
        muxSwarmVersion: 'test',
      });
      assert.deepEqual(
        cassette.modelCalls.map((call) => [call.reply, call.error]),
        [[undefined, 'HTTP 503 from the provider']],
      );
    } finally {
      store.close();
    }
  });
});

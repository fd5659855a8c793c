import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventBus } from '../../src/events/event-bus.js';
import { RunContext } from '../../src/runtime/run-context.js';
import { driveRun } from '../../src/runtime/run-driver.js';
import { FailureMemory } from '../../src/state/failure-memory.js';
import { ScriptedChatModel } from '../support/scripted-chat-model.js';
import { trainerCommand } from '../servers/training/training-test-helpers.js';
import { completeTurn, harnessPerTest, toolMessages } from '../support/runtime-harness.js';

const JOB = [
  'import json, sys',
  'mode = json.load(open("settings.json"))["mode"]',
  'if mode != "safe":',
  '    raise ValueError("unsupported mode for this dataset")',
  'print("done")',
  '',
].join('\n');

const run = (command: string) => ({ toolCalls: [{ name: 'shell__run_command', arguments: { command } }] });
const writeSettings = (mode: string, text?: string) => ({ ...(text ? { content: text } : {}), toolCalls: [{ name: 'fs__write_file', arguments: { path: 'settings.json', content: `{"mode": "${mode}"}\n` } }] });

describe('failure memory in a run', () => {
  const harness = harnessPerTest();
  const userStores: string[] = [];
  after(() => {
    for (const directory of userStores) rmSync(directory, { recursive: true, force: true });
  });
  function userStore(): string {
    const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-user-store-'));
    userStores.push(directory);
    return directory;
  }

  it('records a change after which the same error came back as a fix that did not work, and the one that fixed it as worked', async () => {
    const store = userStore();
    const { drive, models, workdir } = await harness({
      userStore: store,
      orchestrator: { mcpServers: ['fs', 'shell'] },
      script: {
        orchestrator: [
          run('python3 job.py'),
          writeSettings('quick', 'Trying the quick mode instead.'),
          run('python3 job.py'),
          writeSettings('safe', 'Only the safe mode is supported for this dataset.'),
          run('python3 job.py'),
          writeSettings('fast'),
          run('python3 job.py'),
          completeTurn('success', 'done'),
        ],
      },
    });
    writeFileSync(join(workdir, 'job.py'), JOB);
    writeFileSync(join(workdir, 'settings.json'), '{"mode": "fast"}\n');
    const result = await drive();
    assert.equal(result.subtype, 'success');

    const model = models.get('orchestrator')!;
    assert.doesNotMatch(toolMessages(model, 1).at(-1)!, /known fixes/, 'the first failure: nothing known');
    const last = toolMessages(model, 7).at(-1)!;
    assert.match(last, /ValueError: unsupported mode for this dataset/);
    assert.match(last, /1\. Changed settings\.json — worked 1 time/);
    assert.match(last, /Why: Only the safe mode is supported for this dataset\./);
    assert.match(last, /\+\{"mode": "safe"\}/);
    assert.match(last, /2\. Changed settings\.json — worked 0 of 1 times: it did NOT fix it, do not repeat it/);
    assert.match(last, /\+\{"mode": "quick"\}/);

    // Both were written through to the user store.
    const user = FailureMemory.openUserStore(store);
    try {
      const fixes = user.listFixes();
      assert.deepEqual(fixes.map((fix) => [fix.worked, fix.failed]).sort(), [[0, 1], [1, 0]]);
      assert.ok(fixes.every((fix) => fix.source === 'runtime' && fix.files.includes('settings.json')));
    } finally {
      user.database.close();
    }
  });

  it('tells the agents of a failed training job the fix that made the same job succeed before', async () => {
    const { drive, models, workdir } = await harness({
      userStore: userStore(),
      servers: { fs: { builtin: 'filesystem' }, shell: { builtin: 'shell', options: { timeoutMs: 20_000 } }, training: { builtin: 'training', options: { progressEventIntervalMs: 0 } } },
      orchestrator: { mcpServers: ['fs', 'shell', 'training'] },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'training__start', arguments: { command: 'sh train.sh' } }] },
          run('sleep 2'),
          { content: 'The trainer takes max_length now; dropping the old argument.', toolCalls: [{ name: 'fs__write_file', arguments: { path: 'args.txt', content: '--steps 3\n' } }] },
          { toolCalls: [{ name: 'training__start', arguments: { command: 'sh train.sh' } }] },
          run('sleep 2'),
          { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'args.txt', content: '--steps 3 --fail max_seq_length --fail-at 2\n' } }] },
          { toolCalls: [{ name: 'training__start', arguments: { command: 'sh train.sh' } }] },
          run('sleep 2'),
          completeTurn('success', 'done'),
        ],
      },
    });
    writeFileSync(join(workdir, 'args.txt'), '--steps 3 --fail max_seq_length --fail-at 2\n');
    writeFileSync(join(workdir, 'train.sh'), `exec ${trainerCommand()} --step-seconds 0.01 --output-dir out $(cat args.txt)\n`);
    const result = await drive();
    assert.equal(result.subtype, 'success');

    const requests = models.get('orchestrator')!.requests;
    const notices = requests.map((request) => String(request.messages.at(-1)!.content)).filter((text) => text.startsWith('[mux-swarm] Training job'));
    assert.equal(notices.length, 3, notices.join('\n---\n'));
    assert.match(notices[0]!, /ended: python_exception/);
    assert.doesNotMatch(notices[0]!, /known fixes/);
    assert.match(notices[1]!, /ended: success/);
    assert.match(notices[2]!, /ended: python_exception/);
    assert.match(notices[2]!, /known fixes/);
    assert.match(notices[2]!, /Changed args\.txt — worked 1 time/);
    assert.match(notices[2]!, /-+--steps 3 --fail max_seq_length --fail-at 2\n\s+\+--steps 3/);
    assert.match(notices[2]!, /Why: The trainer takes max_length now/);
  });

  it('lists the steps still failing in the recovery report of a resumed run', async () => {
    const session = await harness({
      userStore: userStore(),
      orchestrator: { mcpServers: ['fs', 'shell'] },
      script: { orchestrator: [run('python3 job.py'), run('sleep 30')] },
    });
    writeFileSync(join(session.workdir, 'job.py'), JOB);
    writeFileSync(join(session.workdir, 'settings.json'), '{"mode": "fast"}\n');
    // Session 1 freezes in its second call, as a killed process would.
    const firstSession = session.drive();
    for (let waited = 0; !session.store.journal.unfinishedToolCalls('test-run').some((call) => call.arguments_json.includes('sleep')); waited += 50) {
      assert.ok(waited < 10_000, 'the second call started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const orchestrator = new ScriptedChatModel('orchestrator-model', [completeTurn('success', 'resumed')]);
    session.store.closeInterruptedModelCalls('test-run');
    const bus = new EventBus('test-run');
    bus.continueFrom(session.store.journal.nextEventSeq('test-run'));
    const resumed = new RunContext({ ...session.run.dependencies, events: bus, modelFor: () => orchestrator });
    const result = await driveRun(resumed, { resumedSession: 2 });
    session.run.stop('interrupted');
    await firstSession.catch(() => undefined);

    assert.equal(result.subtype, 'success');
    const note = String(orchestrator.requests[0]!.messages.at(-1)!.content);
    assert.match(note, /## Failures not fixed yet\n.*\n- `shell__run_command:python3 job\.py` failed at \S+ with ValueError: unsupported mode for this dataset \(fingerprint [0-9a-f]{16}\)/);
  });
});

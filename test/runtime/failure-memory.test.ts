import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EventBus } from '../../src/events/event-bus.js';
import { RunContext } from '../../src/runtime/run-context.js';
import { driveRun } from '../../src/runtime/run-driver.js';
import { FailureMemory } from '../../src/failures/failure-memory.js';
import { FailureStore } from '../../src/state/failure-store.js';
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
const writeSettings = (mode: string, text?: string) => ({
  ...(text ? { content: text } : {}),
  toolCalls: [{ name: 'fs__write_file', arguments: { path: 'settings.json', content: `{"mode": "${mode}"}\n` } }],
});

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
      assert.deepEqual(fixes.map((fix) => [fix.worked, fix.failed]).sort(), [
        [0, 1],
        [1, 0],
      ]);
      assert.ok(fixes.every((fix) => fix.source === 'runtime' && fix.files.includes('settings.json')));
    } finally {
      user.database.close();
    }
  });

  it('tells the agents of a failed training job the fix that made the same job succeed before', async () => {
    const { drive, models, workdir } = await harness({
      userStore: userStore(),
      servers: {
        fs: { builtin: 'filesystem' },
        shell: { builtin: 'shell', options: { timeoutMs: 20_000 } },
        training: { builtin: 'training', options: { progressEventIntervalMs: 0 } },
      },
      orchestrator: { mcpServers: ['fs', 'shell', 'training'] },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'training__start', arguments: { command: 'sh train.sh' } }] },
          run('sleep 2'),
          {
            content: 'The trainer takes max_length now; dropping the old argument.',
            toolCalls: [{ name: 'fs__write_file', arguments: { path: 'args.txt', content: '--steps 3\n' } }],
          },
          { toolCalls: [{ name: 'training__start', arguments: { command: 'sh train.sh' } }] },
          run('sleep 2'),
          {
            toolCalls: [
              {
                name: 'fs__write_file',
                arguments: { path: 'args.txt', content: '--steps 3 --fail max_seq_length --fail-at 2\n' },
              },
            ],
          },
          { toolCalls: [{ name: 'training__start', arguments: { command: 'sh train.sh' } }] },
          run('sleep 2'),
          completeTurn('success', 'done'),
        ],
      },
    });
    writeFileSync(join(workdir, 'args.txt'), '--steps 3 --fail max_seq_length --fail-at 2\n');
    writeFileSync(
      join(workdir, 'train.sh'),
      `exec ${trainerCommand()} --step-seconds 0.01 --output-dir out $(cat args.txt)\n`,
    );
    const result = await drive();
    assert.equal(result.subtype, 'success');

    const requests = models.get('orchestrator')!.requests;
    const notices = requests
      .map((request) => String(request.messages.at(-1)!.content))
      .filter((text) => text.startsWith('[mux-swarm] Training job'));
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

  it('takes a step that passes when run again unchanged as a retry observation, never a fix, and says so while it never failed again unchanged', async () => {
    const store = userStore();
    const { drive, models, workdir } = await harness({
      userStore: store,
      orchestrator: { mcpServers: ['fs', 'shell'] },
      script: {
        orchestrator: [
          run('python3 flaky.py'),
          run('python3 flaky.py'),
          run('rm -f attempted && python3 flaky.py'),
          completeTurn('success', 'done'),
        ],
      },
    });
    // Fails on the first attempt of a fresh checkout, passes after: nothing an agent changed.
    writeFileSync(
      join(workdir, 'flaky.py'),
      [
        'import os',
        'if not os.path.exists("attempted"):',
        '    open("attempted", "w").close()',
        '    raise ConnectionError("the dataset mirror reset the connection")',
        'print("ok")',
        '',
      ].join('\n'),
    );
    const result = await drive();
    assert.equal(result.subtype, 'success');
    assert.match(toolMessages(models.get('orchestrator')!, 1).at(-1)!, /ConnectionError/);
    const third = toolMessages(models.get('orchestrator')!, 3).at(-1)!;
    assert.match(third, /ConnectionError: the dataset mirror reset the connection/);
    assert.match(
      third,
      /no known fix .*Seen to pass when simply run again with no change 1 time .*possibly transient/s,
    );
    const user = FailureMemory.openUserStore(store);
    try {
      assert.deepEqual(user.listFixes(), [], 'running again is no fix');
      assert.deepEqual(
        user.listFailures().map((failure) => [failure.retryWorked, failure.retryFailed]),
        [[1, 0]],
      );
    } finally {
      user.database.close();
    }
  });

  it('judges a background job once, from its own output, however often its end is reported; leaves out what another job wrote meanwhile', async () => {
    const store = userStore();
    const {
      drive,
      models,
      workdir,
      store: runStore,
    } = await harness({
      userStore: store,
      orchestrator: { mcpServers: ['fs', 'shell'], maxTurns: 20 },
      limits: { maxTurns: 20 },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'shell__start_job', arguments: { command: 'python3 job.py' } }] },
          { toolCalls: [{ name: 'shell__wait_job', arguments: { job_id: 'shell-1', timeout_ms: 10_000 } }] },
          // wait_job may return on the traceback a moment before the exit: status, later, sees the end for sure.
          run('sleep 0.5'),
          { toolCalls: [{ name: 'shell__job_status', arguments: { job_id: 'shell-1' } }] },
          // Reading the traceback in the job's log is no failure of its own.
          run('tail -n 20 .mux-swarm/runs/test-run/spill/jobs/shell-1.output.log'),
          // Another job writes a source-like file while the agent waits on it: not the agent's change.
          {
            toolCalls: [
              {
                name: 'shell__start_job',
                arguments: {
                  command: 'sleep 0.3 && mkdir -p out && echo \'{"r": 16}\' > out/adapter_config.json && sleep 0.3',
                },
              },
            ],
          },
          { toolCalls: [{ name: 'shell__wait_job', arguments: { job_id: 'shell-2', timeout_ms: 10_000 } }] },
          writeSettings('safe', 'Only the safe mode is supported.'),
          { toolCalls: [{ name: 'shell__start_job', arguments: { command: 'python3 job.py' } }] },
          { toolCalls: [{ name: 'shell__wait_job', arguments: { job_id: 'shell-3', timeout_ms: 10_000 } }] },
          completeTurn('success', 'done'),
        ],
      },
    });
    // Silent when it succeeds: wait_job then returns on the job's end, not on a line printed just before it.
    writeFileSync(join(workdir, 'job.py'), JOB.replace('print("done")\n', ''));
    writeFileSync(join(workdir, 'settings.json'), '{"mode": "fast"}\n');
    const result = await drive();
    assert.equal(result.subtype, 'success', JSON.stringify(result));
    const user = FailureMemory.openUserStore(store);
    try {
      const failures = user.listFailures();
      assert.equal(failures.length, 1, failures.map((failure) => failure.message).join(' | '));
      assert.match(failures[0]!.message, /unsupported mode for this dataset/);
      const fixes = user.listFixes();
      assert.equal(fixes.length, 1);
      assert.deepEqual(fixes[0]!.files, ['settings.json'], 'what the other job wrote is not part of the fix');
      assert.deepEqual([fixes[0]!.worked, fixes[0]!.failed], [1, 0]);
    } finally {
      user.database.close();
    }
    const model = models.get('orchestrator')!;
    // Both reports of the one end name the same failure; it is counted once.
    const waited = toolMessages(model, 2).at(-1)!;
    const status = toolMessages(model, 4).at(-1)!;
    assert.match(waited, /ValueError: unsupported mode/);
    assert.match(status, /ValueError: unsupported mode/);
    assert.match(toolMessages(model, 5).at(-1)!, /ValueError: unsupported mode/, 'the tail shows the traceback');
    assert.deepEqual(
      new FailureStore(runStore.database).listFailures().map((failure) => failure.occurrences),
      [1],
      'one end, counted once',
    );
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
    for (
      let waited = 0;
      !session.store.journal.unfinishedToolCalls('test-run').some((call) => call.arguments_json.includes('sleep'));
      waited += 50
    ) {
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
    assert.match(
      note,
      /## Failures not fixed yet\n.*\n- `shell__run_command:python3 job\.py` failed at \S+ with ValueError: unsupported mode for this dataset \(fingerprint [0-9a-f]{16}\)/,
    );
  });
});

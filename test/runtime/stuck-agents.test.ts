import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { StuckEvent } from '../../src/events/event-schema.js';
import { FailureStore } from '../../src/state/failure-store.js';
import { STUCK_WARNING_PREFIX } from '../../src/runtime/stuck/stuck-watch.js';
import { agentDefinition, completeTurn, harnessPerTest, toolMessages } from '../support/runtime-harness.js';

const userStore = mkdtempSync(join(tmpdir(), 'mux-swarm-stuck-user-'));
after(() => rmSync(userStore, { recursive: true, force: true }));

const delegateTo = (agent: string, task: string) => ({ toolCalls: [{ name: 'delegate', arguments: { agent, task } }] });
const run = (command: string) => ({ toolCalls: [{ name: 'shell__run_command', arguments: { command } }] });
const read = (path: string) => ({ toolCalls: [{ name: 'fs__read_text_file', arguments: { path } }] });

describe('stuck agents are caught', () => {
  const harness = harnessPerTest();

  it('a specialist that repeats a call with the same result is told, then ended as stuck; the orchestrator sees a failed delegation; failure memory files it under kind stuck', async () => {
    const h = await harness({
      agents: [agentDefinition('worker', { mcpServers: ['shell'] })],
      userStore,
      script: {
        orchestrator: [delegateTo('worker', 'Read missing.txt.'), completeTurn('failure', 'the worker got stuck')],
        // It never learns: the same failing command, again and again.
        worker: Array.from({ length: 6 }, () => run('cat missing.txt')),
      },
    });
    const result = await h.drive();
    assert.equal(result.subtype, 'error_goal_failed');

    const worker = h.models.get('worker')!;
    assert.equal(worker.requests.length, 4, 'told after the 3rd repeat, ended at the 4th: no 5th model call');
    const warning = worker.requests[3]!.messages.at(-1)!;
    assert.equal(warning.role, 'user');
    assert.ok(String(warning.content).startsWith(STUCK_WARNING_PREFIX), String(warning.content));
    assert.match(
      String(warning.content),
      /called shell__run_command \{"command":"cat missing.txt"\} 3 times in a row and got the same result each time/,
    );

    const stuck = h.events.filter((event): event is StuckEvent => event.type === 'stuck');
    assert.deepEqual(
      stuck.map((event) => [event.agent, event.pattern, event.action]),
      [
        ['worker', 'repeated_call', 'warned'],
        ['worker', 'repeated_call', 'ended'],
      ],
    );
    const end = h.events.find((event) => event.type === 'delegation-end' && event.agent === 'worker');
    assert.ok(end && end.type === 'delegation-end');
    assert.equal(end.status, 'stuck');
    assert.equal(end.stop_reason, 'stuck');
    assert.equal(h.store.journal.delegation('test-run', 'd1.1.0')?.status, 'stuck');

    const [delegateResult] = toolMessages(h.models.get('orchestrator')!, 1);
    assert.match(
      delegateResult!,
      /^worker finished with status stuck after 4 turns \(stuck, \$0\.0000\)\.\nSummary: worker called shell__run_command \{"command":"cat missing\.txt"\} 4 times in a row and got the same result each time, and went on after it was told\./,
    );

    const failures = new FailureStore(h.store.database).listFailures();
    const filed = failures.find((failure) => failure.kind === 'stuck');
    assert.ok(filed, JSON.stringify(failures));
    assert.match(filed.message, /shell__run_command/);
    assert.equal(filed.type, 'repeated call');
    assert.equal(filed.occurrences, 1);
  });

  it('an agent that wanders between the same files without anything new is told, then ended as stuck', async () => {
    const h = await harness({
      limits: { stuck: { repeatedCalls: 3, idleTurns: 4 } },
      agents: [agentDefinition('worker', { mcpServers: ['fs'] })],
      script: {
        orchestrator: [delegateTo('worker', 'Find the answer.'), completeTurn('failure', 'no answer')],
        worker: [
          read('a.txt'),
          read('b.txt'),
          read('a.txt'),
          read('b.txt'),
          read('a.txt'),
          read('b.txt'),
          read('a.txt'),
          read('b.txt'),
        ],
      },
    });
    writeFileSync(join(h.workdir, 'a.txt'), 'A\n');
    writeFileSync(join(h.workdir, 'b.txt'), 'B\n');
    await h.drive();
    const worker = h.models.get('worker')!;
    assert.equal(worker.requests.length, 7, 'two new reads, four without news (told), one more (ended)');
    assert.match(String(worker.requests[6]!.messages.at(-1)!.content), /4 turns in a row without a new tool result/);
    const stuck = h.events.filter((event): event is StuckEvent => event.type === 'stuck');
    assert.deepEqual(
      stuck.map((event) => [event.pattern, event.action, event.turn]),
      [
        ['no_progress', 'warned', 6],
        ['no_progress', 'ended', 7],
      ],
    );
  });

  it('an agent that reacts to the warning goes on working', async () => {
    const h = await harness({
      agents: [agentDefinition('worker', { mcpServers: ['shell'] })],
      script: {
        orchestrator: [delegateTo('worker', 'Make done.txt.'), completeTurn('success', 'done', ['done.txt'])],
        worker: [
          run('ls missing'),
          run('ls missing'),
          run('ls missing'),
          run('touch done.txt'),
          run('ls missing'),
          completeTurn('success', 'made it', ['done.txt']),
        ],
      },
    });
    const result = await h.drive();
    assert.equal(result.subtype, 'success');
    const stuck = h.events.filter((event): event is StuckEvent => event.type === 'stuck');
    assert.deepEqual(
      stuck.map((event) => event.action),
      ['warned'],
    );
    assert.equal(
      h.events.find(
        (event) => event.type === 'delegation-end' && event.agent === 'worker' && event.status === 'success',
      ) !== undefined,
      true,
    );
  });

  it('a model that polls a job whose result changes is not stuck, however often it asks', async () => {
    const poll = { delayMs: 250, toolCalls: [{ name: 'shell__job_status', arguments: { job_id: 'shell-1' } }] };
    const h = await harness({
      agents: [agentDefinition('worker', { mcpServers: ['shell'], maxTurns: 20 })],
      script: {
        orchestrator: [delegateTo('worker', 'Follow the counter job.'), completeTurn('success', 'followed')],
        worker: [
          {
            toolCalls: [
              {
                name: 'shell__start_job',
                arguments: { command: 'i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo tick $i; sleep 0.05; done' },
              },
            ],
          },
          ...Array.from({ length: 8 }, () => poll),
          { toolCalls: [{ name: 'shell__kill_job', arguments: { job_id: 'shell-1' } }] },
          completeTurn('success', 'the counter counted'),
        ],
      },
    });
    const result = await h.drive();
    assert.equal(result.subtype, 'success');
    assert.deepEqual(
      h.events.filter((event) => event.type === 'stuck'),
      [],
    );
    const worker = h.models.get('worker')!;
    assert.equal(worker.requests.length, 11, 'it polled, killed the job and completed: never ended early');
    const statuses = toolMessages(worker, 10).filter((text) => text.includes('is running'));
    assert.ok(statuses.length >= 8, statuses.join('\n---\n'));
    assert.equal(new Set(statuses).size, statuses.length, 'every poll answered something new');
  });

  it('thresholds per agent win over the run-wide ones', async () => {
    const h = await harness({
      limits: { stuck: { repeatedCalls: 2, idleTurns: 10 } },
      agents: [agentDefinition('worker', { mcpServers: ['shell'], stuck: { repeatedCalls: false } })],
      script: {
        orchestrator: [delegateTo('worker', 'Look.'), completeTurn('success', 'looked')],
        worker: [run('ls missing'), run('ls missing'), run('ls missing'), completeTurn('success', 'looked')],
      },
    });
    const result = await h.drive();
    assert.equal(result.subtype, 'success');
    assert.deepEqual(
      h.events.filter((event) => event.type === 'stuck'),
      [],
    );
  });
});

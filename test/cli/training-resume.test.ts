import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isProcessGroupAlive, killProcessGroup } from '../../src/supervisor/process-group.js';
import { messageText } from '../support/fake-openai-routing.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { trainerCommand } from '../servers/training/training-test-helpers.js';

describe('a run killed right after it started a training job', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let trainerGroup: number | undefined;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-training-resume-');
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: { training: { builtin: 'training' } },
      }),
    );
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { canDelegateTo: ['trainer'] }),
      agents: [fakeAgent('trainer', { mcpServers: ['training'] })],
    });
    project.write('goal.md', '# Train\n\nTrain the model.\n');
  });

  after(async () => {
    if (trainerGroup !== undefined) await killProcessGroup(trainerGroup, { graceMs: 0 }).catch(() => {});
    await server.close();
    project.remove();
  });

  it('resumes, re-attaches to the job that kept running, and does not start a second one', async () => {
    const command = trainerCommand('--steps', '30', '--step-seconds', '0.1', '--output-dir', 'out');
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'delegate', arguments: { agent: 'trainer', task: 'Train.' } }] },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'trained' } }] },
    );
    server.route(
      { model: 'trainer-model', lastUserIncludes: 'ended: success' },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'training finished' } }] },
    );
    server.route(
      { model: 'trainer-model' },
      { toolCalls: [{ name: 'training__start', arguments: { command, name: 'run-1' } }] },
      // After the restart the agent hears its call was interrupted and asks again: the running job is named instead.
      { toolCalls: [{ name: 'training__start', arguments: { command, name: 'run-1' } }] },
      { delayMs: 4_000, toolCalls: [{ name: 'training__list', arguments: {} }] },
    );

    const killed = await runCli(['run', 'goal.md'], {
      cwd: project.directory,
      env: { MUX_SWARM_FAIL_AT: 'job-spawned:1' },
    });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const workdir = join(project.directory, 'work');
    const runs = join(workdir, '.mux-swarm', 'runs');
    const [runId] = readdirSync(runs);
    const record = JSON.parse(readFileSync(join(runs, runId!, 'training', 'train-1.job.json'), 'utf8')) as {
      pid: number;
    };
    trainerGroup = record.pid;
    assert.equal(isProcessGroupAlive(record.pid), true, 'the trainer outlived mux-swarm');

    const resumed = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], {
      cwd: project.directory,
      timeoutMs: 60_000,
    });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.pendingResponses(), 0);
    const refusal = server
      .chatRequests()
      .find(
        (request) =>
          request.body.model === 'trainer-model' &&
          request.body.messages.some(
            (message) => message.role === 'tool' && messageText(message).includes('already running this command'),
          ),
      );
    assert.ok(refusal, 'the second start named the re-attached job');

    const database = new Database(join(workdir, '.mux-swarm', 'state.db'), { readonly: true });
    try {
      assert.deepEqual(database.prepare('SELECT job_id, classification FROM training_jobs').all(), [
        { job_id: 'train-1', classification: 'success' },
      ]);
      const steps = (
        database.prepare("SELECT step FROM training_metrics WHERE event = 'log' ORDER BY log_offset").all() as Array<{
          step: number;
        }>
      ).map((row) => row.step);
      assert.deepEqual(
        steps,
        Array.from({ length: 30 }, (_, index) => index + 1),
      );
      const starts = (
        database.prepare("SELECT json FROM events WHERE type = 'training-start' ORDER BY seq").all() as Array<{
          json: string;
        }>
      ).map((row) => JSON.parse(row.json) as { reattached: boolean });
      assert.deepEqual(
        starts.map((start) => start.reattached),
        [true],
        'the job was started by the killed session (which died before it could announce it) and announced as re-attached by the resumed one',
      );
      const types = database.prepare('SELECT seq, type, json FROM events ORDER BY seq').all() as Array<{
        seq: number;
        type: string;
        json: string;
      }>;
      assert.deepEqual(
        types.map((row) => row.seq),
        types.map((_, index) => index),
        'one event stream, numbered on across the restart',
      );
      const secondInit = types.filter((row) => row.type === 'system' && JSON.parse(row.json).subtype === 'init')[1]!;
      assert.equal(
        types[secondInit.seq + 1]?.type,
        'training-start',
        "the re-attached job is announced right after the resumed session's init",
      );
    } finally {
      database.close();
    }
  });
});

describe('a provider outage while a training job runs', () => {
  let down = false;
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let trainerGroup: number | undefined;

  before(async () => {
    server = await startFakeOpenAIServer({
      fallback: (body) => {
        if (down) return { error: { status: 503, message: 'provider down' } };
        // Resumed: wait on the job until it has ended, then complete.
        const last = body.messages.at(-1);
        if (last?.role === 'tool' && messageText(last).includes('The job has ended'))
          return {
            toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'trained across the outage' } }],
          };
        const cursor = last?.role === 'tool' ? Number(/wait with cursor (\d+)/.exec(messageText(last))?.[1] ?? 0) : 0;
        return {
          toolCalls: [{ name: 'training__wait', arguments: { job_id: 'train-1', cursor, timeout_ms: 30_000 } }],
        };
      },
    });
    project = createProjectFixture('mux-swarm-training-outage-');
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: { training: { builtin: 'training' } },
        providers: { fake: { baseURL: server.baseURL, maxRetries: 0, timeoutMs: 20_000 } },
      }),
    );
    // Each wait returns on the job's next progress line: the orchestrator may wait once per step.
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['training'], maxTurns: 200 }),
      agents: [],
    });
    project.write('goal.md', '# Train\n\nTrain the model.\n');
  });

  after(async () => {
    if (trainerGroup !== undefined) await killProcessGroup(trainerGroup, { graceMs: 0 }).catch(() => {});
    await server.close();
    project.remove();
  });

  it('leaves the job running (the GPU work does not need the provider); the resume re-attaches to it and records its end', async () => {
    const command = trainerCommand('--steps', '40', '--step-seconds', '0.1', '--output-dir', 'out');
    server.route({ model: 'orchestrator-model' }, () => {
      down = true; // the provider goes down right after the job is started
      return { toolCalls: [{ name: 'training__start', arguments: { command, name: 'run-1' } }] };
    });
    const stopped = await runCli(['run', 'goal.md', '--output-format', 'json'], {
      cwd: project.directory,
      timeoutMs: 60_000,
    });
    assert.equal(stopped.code, 75, stopped.stderr);
    const workdir = join(project.directory, 'work');
    const runs = join(workdir, '.mux-swarm', 'runs');
    const [runId] = readdirSync(runs);
    const record = JSON.parse(readFileSync(join(runs, runId!, 'training', 'train-1.job.json'), 'utf8')) as {
      pid: number;
    };
    trainerGroup = record.pid;
    assert.equal(isProcessGroupAlive(record.pid), true, 'the trainer was left running through the outage');

    down = false;
    const resumed = await runCli(['resume', '--output-format', 'json'], { cwd: project.directory, timeoutMs: 90_000 });
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
    const database = new Database(join(workdir, '.mux-swarm', 'state.db'), { readonly: true });
    try {
      assert.deepEqual(
        database.prepare('SELECT job_id, classification FROM training_jobs').all(),
        [{ job_id: 'train-1', classification: 'success' }],
        'one job, not stopped, ended by itself',
      );
      const steps = (
        database.prepare("SELECT step FROM training_metrics WHERE event = 'log' ORDER BY log_offset").all() as Array<{
          step: number;
        }>
      ).map((row) => row.step);
      assert.deepEqual(
        steps,
        Array.from({ length: 40 }, (_, index) => index + 1),
      );
    } finally {
      database.close();
    }
  });
});

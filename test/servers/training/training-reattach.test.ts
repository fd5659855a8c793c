import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { isProcessGroupAlive, killProcessGroup } from '../../../src/supervisor/process-group.js';
import { TSX_LOADER, fixturePath } from '../../fixtures/process-helpers.js';
import { trainerCommand, TrainingSandbox, waitUntilEnded, type TrainingStatusView } from './training-test-helpers.js';

describe('training server: a job outlives a crash of mux-swarm', () => {
  const sandbox = new TrainingSandbox();
  const groups = new Set<number>();
  after(async () => {
    for (const group of groups) await killProcessGroup(group, { graceMs: 0 }).catch(() => {});
    sandbox.remove();
  });

  it('re-attaches to the running job, reads its log on from where the dead process stopped, and classifies its end', async () => {
    const steps = 40;
    const command = trainerCommand(
      '--steps',
      String(steps),
      '--step-seconds',
      '0.05',
      '--checkpoint-every',
      '10',
      '--output-dir',
      'survivor',
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX_LOADER,
        fixturePath('training-owner-crash.ts'),
        JSON.stringify({
          workdir: sandbox.workdir,
          runDirectory: sandbox.runDirectory,
          stateDirectory: sandbox.stateDirectory,
        }),
        command,
        '5',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL', `the owner killed itself; stderr: ${stderr}`);
    const crashed = JSON.parse(stdout.trim()) as { job_id: string; pid: number };
    groups.add(crashed.pid);
    assert.equal(isProcessGroupAlive(crashed.pid), true, 'the trainer kept running after its owner died');
    const before = sandbox.withStore((store) => store.metrics('r1', crashed.job_id).length);
    assert.ok(before >= 6, `the dead owner had stored the first steps (${before} lines)`);

    const client = await sandbox.connect();
    try {
      const listed = await client.call('list');
      const jobs = (listed.structured as { jobs: TrainingStatusView[] }).jobs;
      assert.equal(jobs.length, 1);
      assert.equal(jobs[0]!.job_id, crashed.job_id);
      assert.equal(jobs[0]!.reattached, true);
      assert.equal(jobs[0]!.running, true);
      // A resumed agent asking for the same training again gets the running job, not a second trainer.
      const again = await client.call('start', { command });
      assert.equal(again.isError, true);
      assert.match(again.text, /re-attached after mux-swarm restarted/);

      const { last } = await waitUntilEnded(client, crashed.job_id);
      assert.equal(last.classification, 'success');
      assert.equal(last.step, steps);
      const metrics = sandbox.withStore((store) => store.metrics('r1', crashed.job_id));
      const logSteps = metrics.filter((metric) => metric.event === 'log').map((metric) => metric.step);
      assert.deepEqual(
        logSteps,
        Array.from({ length: steps }, (_, index) => index + 1),
        'each step stored exactly once across both processes',
      );
      const reattachedStart = sandbox.events.find((event) => event.type === 'training-start');
      assert.ok(reattachedStart?.type === 'training-start' && reattachedStart.reattached);
      assert.equal(sandbox.events.filter((event) => event.type === 'training-end').length, 1);
    } finally {
      await client.close();
    }
  });
});

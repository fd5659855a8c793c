import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isProcessGroupAlive } from '../../../src/supervisor/process-group.js';
import {
  startTraining,
  trainerCommand,
  TrainingSandbox,
  waitUntilEnded,
  type TrainingStatusView,
} from './training-test-helpers.js';

describe('training server: jobs of the stand-in trainer', () => {
  const sandbox = new TrainingSandbox();
  after(() => sandbox.remove());

  it('follows a successful job: progress stored once per line, events sent, classification success', async () => {
    const client = await sandbox.connect({ gpuHourlyUsd: 3.6 });
    try {
      const started = await startTraining(client, {
        command: trainerCommand('--steps', '12', '--eval-every', '4', '--checkpoint-every', '6', '--output-dir', 'ok'),
        name: 'ok-run',
      });
      assert.equal(started.job_id, 'train-1');
      assert.equal(started.running, true);
      const { last, progress } = await waitUntilEnded(client, started.job_id);
      assert.equal(last.classification, 'success');
      assert.match(last.summary!, /done line/);
      assert.equal(last.step, 12);
      assert.equal(last.total_steps, 12);
      assert.equal(last.metrics.eval_loss, Number((2.1 * 0.96 ** 12).toFixed(6)));
      assert.equal(last.last_checkpoint, 'ok/checkpoint-12');
      // Every protocol line reached the waits, in order, none twice.
      const events = progress.map((line) => `${line.event}:${line.step ?? ''}`);
      assert.equal(events.filter((event) => event.startsWith('log:')).length, 12);
      assert.deepEqual(
        events.filter((event) => !event.startsWith('log:')),
        ['start:', 'eval:4', 'checkpoint:6', 'eval:8', 'eval:12', 'checkpoint:12', 'done:12'],
      );
      // stderr noise is log, not progress.
      assert.equal(
        progress.some((line) => JSON.stringify(line).includes('Loading checkpoint shards')),
        false,
      );
      const stored = sandbox.withStore((store) => ({
        job: store.job('r1', 'train-1')!,
        metrics: store.metrics('r1', 'train-1'),
      }));
      assert.equal(stored.metrics.length, 12 + 7);
      assert.equal(stored.job.classification, 'success');
      assert.equal(stored.job.last_step, 12);
      assert.equal(stored.job.gpu_hourly_usd, 3.6);
      const end = sandbox.events.find((event) => event.type === 'training-end');
      assert.ok(end && end.type === 'training-end');
      assert.equal(end.classification, 'success');
      // $3.60 an hour is a tenth of a cent a second.
      assert.ok(Math.abs(end.gpu_cost_usd - (end.runtime_ms / 1000) * 0.001) < 1e-9);
      assert.equal(sandbox.events.filter((event) => event.type === 'training-start').length, 1);
      const checkpoints = sandbox.events.filter(
        (event) => event.type === 'training-progress' && event.event === 'checkpoint',
      );
      assert.deepEqual(
        checkpoints.map((event) => event.type === 'training-progress' && event.checkpoint),
        ['ok/checkpoint-6', 'ok/checkpoint-12'],
      );
    } finally {
      await client.close();
    }
  });

  const failures: Array<{ mode: string; classification: string; type?: string; message: RegExp }> = [
    {
      mode: 'overwrite_output_dir',
      classification: 'python_exception',
      type: 'TypeError',
      message: /^TrainingArguments\.__init__\(\) got an unexpected keyword argument 'overwrite_output_dir'$/,
    },
    {
      mode: 'tokenizer',
      classification: 'python_exception',
      type: 'TypeError',
      message: /^Trainer\.__init__\(\) got an unexpected keyword argument 'tokenizer'$/,
    },
    {
      mode: 'max_seq_length',
      classification: 'python_exception',
      type: 'TypeError',
      message: /^SFTTrainer\.__init__\(\) got an unexpected keyword argument 'max_seq_length'$/,
    },
    { mode: 'nesting', classification: 'python_exception', type: 'ValueError', message: /excessive nesting/ },
    {
      mode: 'cuda_oom',
      classification: 'cuda_oom',
      type: 'torch.OutOfMemoryError',
      message: /^CUDA out of memory\. Tried to allocate 2\.00 GiB/,
    },
    { mode: 'sigkill', classification: 'killed', message: /SIGKILL.*OOM killer/ },
    { mode: 'exit', classification: 'failed', message: /exited with code 3/ },
  ];

  it('classifies each way a trainer fails, with the exception and the frame of the script', async () => {
    const client = await sandbox.connect();
    try {
      const started = new Map<string, TrainingStatusView>();
      for (const failure of failures) {
        started.set(
          failure.mode,
          await startTraining(client, {
            command: trainerCommand('--steps', '6', '--fail', failure.mode, '--output-dir', `fail-${failure.mode}`),
          }),
        );
      }
      for (const failure of failures) {
        const { last } = await waitUntilEnded(client, started.get(failure.mode)!.job_id);
        assert.equal(last.classification, failure.classification, `${failure.mode}: ${last.summary}`);
        if (failure.type === undefined) {
          assert.match(last.summary!, failure.message);
          assert.equal(last.exception, undefined);
        } else {
          assert.equal(last.exception?.type, failure.type, failure.mode);
          assert.match(last.exception!.message, failure.message);
          assert.match(last.exception!.frame!, /^fake_trainer\.py:\d+ in \w+$/);
          assert.ok(last.summary!.includes(last.exception!.type));
        }
        assert.equal(last.step, 2, `${failure.mode} failed at step 3, after logging step 2`);
      }
      const ends = sandbox.events.filter((event) => event.type === 'training-end' && event.job_id !== 'train-1');
      assert.equal(ends.length, failures.length);
      const maxSeqLength = ends.find(
        (event) => event.type === 'training-end' && event.exception?.message.includes('max_seq_length'),
      );
      assert.ok(maxSeqLength && maxSeqLength.type === 'training-end');
      assert.match(
        maxSeqLength.summary,
        /^TypeError: SFTTrainer\.__init__\(\) got an unexpected keyword argument 'max_seq_length' \(fake_trainer\.py:\d+ in fail\)$/,
      );
    } finally {
      await client.close();
    }
  });

  it('stops a stalled job after stall_timeout_ms and says so', async () => {
    const client = await sandbox.connect();
    try {
      const started = await startTraining(client, {
        command: trainerCommand('--steps', '50', '--fail', 'stall', '--fail-at', '4', '--output-dir', 'stall'),
        stall_timeout_ms: 1_500,
      });
      const { last } = await waitUntilEnded(client, started.job_id);
      assert.equal(last.classification, 'stalled');
      assert.match(last.summary!, /no progress line for 2 s; stopped \(no checkpoint was reported\)/);
      assert.equal(last.step, 3);
      assert.equal(isProcessGroupAlive(started.pid), false);
    } finally {
      await client.close();
    }
  });

  it('stop gives the trainer its grace to checkpoint; the same command then resumes from that checkpoint', async () => {
    const client = await sandbox.connect();
    try {
      const command = trainerCommand('--steps', '400', '--step-seconds', '0.02', '--output-dir', 'resumable');
      const first = await startTraining(client, { command, name: 'resumable' });
      const progressed = await client.call('wait', { job_id: first.job_id, cursor: 0, timeout_ms: 10_000 });
      assert.equal(progressed.isError, false);
      const stopped = await client.call('stop', { job_id: first.job_id });
      const status = stopped.structured as unknown as TrainingStatusView;
      assert.equal(status.classification, 'stopped');
      assert.match(
        status.summary!,
        /^stopped on request \(checkpoint saved at step (\d+): resumable\/checkpoint-\1\)$/,
      );
      const savedStep = Number(/step (\d+)/.exec(status.summary!)![1]);
      assert.ok(existsSync(path.join(sandbox.workdir, `resumable/checkpoint-${savedStep}/trainer_state.json`)));

      const second = await startTraining(client, { command, name: 'resumable' });
      assert.notEqual(second.job_id, first.job_id);
      const firstLines = await client.call('wait', { job_id: second.job_id, cursor: 0, timeout_ms: 10_000 });
      const start = (firstLines.structured as { progress: Array<Record<string, unknown>> }).progress[0]!;
      assert.equal(start.event, 'start');
      assert.equal(start.resumed_from, `resumable/checkpoint-${savedStep}`);
      await client.call('stop', { job_id: second.job_id, grace_ms: 5_000 });
    } finally {
      await client.close();
    }
  });

  it('refuses a second job with the command or the name of a running one', async () => {
    const client = await sandbox.connect();
    try {
      const command = trainerCommand('--steps', '400', '--output-dir', 'twice');
      const first = await startTraining(client, { command, name: 'twice' });
      await client.call('wait', { job_id: first.job_id, cursor: 0, timeout_ms: 10_000 }); // its SIGTERM handler is in place
      const again = await client.call('start', { command });
      assert.equal(again.isError, true);
      assert.match(
        again.text,
        new RegExp(
          `Training job ${first.job_id} \\(twice\\) is already running this command; no second one was started`,
        ),
      );
      const sameName = await client.call('start', { command: trainerCommand('--steps', '3'), name: 'twice' });
      assert.equal(sameName.isError, true);
      assert.match(sameName.text, /already running under this name/);
      const listed = await client.call('list');
      assert.equal((listed.structured as { running: number }).running, 1);
    } finally {
      await client.close(); // the server's shutdown stops the running job, with its grace
    }
    const row = sandbox.withStore((store) => store.jobs('r1').find((job) => job.name === 'twice'));
    assert.equal(row?.classification, 'stopped');
    assert.match(row!.outcome_json!, /checkpoint saved/);
  });

  it('sends SIGKILL when the trainer ignores SIGTERM past the grace', async () => {
    const client = await sandbox.connect();
    try {
      const started = await startTraining(client, {
        command: trainerCommand('--steps', '400', '--ignore-sigterm', '--output-dir', 'stubborn'),
      });
      await client.call('wait', { job_id: started.job_id, cursor: 0, timeout_ms: 10_000 });
      const began = Date.now();
      const stopped = await client.call('stop', { job_id: started.job_id, grace_ms: 700 });
      const status = stopped.structured as unknown as TrainingStatusView;
      assert.ok(Date.now() - began >= 650, 'the grace was given');
      assert.equal(status.classification, 'stopped');
      assert.match(status.summary!, /no checkpoint after the stop|no checkpoint was reported/);
      assert.equal(isProcessGroupAlive(started.pid), false);
    } finally {
      await client.close();
    }
  });

  it('reads a NaN loss as a metric that is not a number, not as log output', async () => {
    const client = await sandbox.connect();
    try {
      const started = await startTraining(client, {
        command: trainerCommand('--steps', '4', '--fail', 'nan', '--fail-at', '3', '--output-dir', 'nan'),
      });
      const { progress } = await waitUntilEnded(client, started.job_id);
      const third = progress.find((line) => line.event === 'log' && line.step === 3);
      assert.equal(third?.loss, 'NaN');
    } finally {
      await client.close();
    }
  });
});

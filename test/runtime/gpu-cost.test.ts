import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrainingStore } from '../../src/state/training-store.js';
import { completeTurn, harnessPerTest } from '../support/runtime-harness.js';

describe('GPU time in the run cost', () => {
  const harness = harnessPerTest();

  function recordJob(
    store: TrainingStore,
    job: { id: string; startedHoursAgo: number; endedHoursAgo: number | null; hourlyUsd: number },
  ): void {
    const hoursAgo = (hours: number): string => new Date(Date.now() - hours * 3_600_000).toISOString();
    store.recordStart({
      runId: 'test-run',
      jobId: job.id,
      command: 'python train.py',
      cwd: '.',
      logFile: `${job.id}.output.log`,
      startedAt: hoursAgo(job.startedHoursAgo),
      gpuHourlyUsd: job.hourlyUsd,
    });
    if (job.endedHoursAgo !== null) {
      store.recordEnd('test-run', job.id, {
        endedAt: hoursAgo(job.endedHoursAgo),
        state: 'exited',
        classification: 'success',
        outcome: {},
        exitCode: 0,
        signal: null,
      });
    }
  }

  it('counts the training jobs of earlier sessions, overlaps once, in total_cost_usd', async () => {
    const { run, drive, store } = await harness({
      script: { orchestrator: [{ content: '', ...completeTurn('success', 'done') }] },
    });
    const training = new TrainingStore(store.database);
    // 3 h → 1 h ago and 2 h → 0.5 h ago overlap: the box was busy from 3 h to 0.5 h ago, 2.5 hours.
    recordJob(training, { id: 'train-1', startedHoursAgo: 3, endedHoursAgo: 1, hourlyUsd: 2 });
    recordJob(training, { id: 'train-2', startedHoursAgo: 2, endedHoursAgo: 0.5, hourlyUsd: 2 });
    const result = await drive();
    assert.equal(result.subtype, 'success');
    assert.ok(Math.abs(result.gpu_seconds! - 2.5 * 3600) < 1);
    assert.ok(Math.abs(result.gpu_cost_usd! - 5) < 1e-3);
    assert.ok(Math.abs(result.total_cost_usd - (5 + run.usage.byAgent().orchestrator!.cost_usd)) < 1e-3);
  });

  it('stops the run when GPU time alone passes the USD budget', async () => {
    const { drive, store, events } = await harness({ limits: { maxBudgetUsd: 1 }, script: { orchestrator: [] } });
    recordJob(new TrainingStore(store.database), {
      id: 'train-1',
      startedHoursAgo: 2,
      endedHoursAgo: null,
      hourlyUsd: 0.8,
    });
    const result = await drive();
    assert.equal(result.subtype, 'error_max_budget_usd');
    assert.ok(result.gpu_cost_usd! >= 1.6 - 1e-3);
    assert.ok(events.some((event) => event.type === 'budget-warning' && event.budget === 'usd'));
  });
});

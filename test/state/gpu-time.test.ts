import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gpuTime, type GpuInterval } from '../../src/state/gpu-time.js';

const NOW = new Date('2025-01-01T12:00:00Z');
/** An interval from hour:minute to hour:minute on the test day (null: still running). */
function job(from: string, to: string | null, hourlyUsd: number): GpuInterval {
  return { startedAt: `2025-01-01T${from}:00Z`, endedAt: to === null ? null : `2025-01-01T${to}:00Z`, hourlyUsd };
}
function assertGpu(actual: { seconds: number; costUsd: number }, seconds: number, costUsd: number): void {
  assert.equal(actual.seconds, seconds);
  assert.ok(Math.abs(actual.costUsd - costUsd) < 1e-9, `cost ${actual.costUsd}, expected ${costUsd}`);
}

describe('gpuTime', () => {
  it('is zero for no jobs', () => {
    assertGpu(gpuTime([], NOW), 0, 0);
  });

  it('prices one finished job by its length', () => {
    assertGpu(gpuTime([job('10:00', '10:30', 2)], NOW), 1800, 1);
  });

  it('adds jobs separated by a gap, without counting the gap', () => {
    assertGpu(gpuTime([job('10:00', '10:10', 6), job('11:00', '11:20', 3)], NOW), 1800, 1 + 1);
  });

  it('counts overlapping jobs once, each instant at the higher price', () => {
    // 10:00–10:30 alone at $2, 10:30–11:00 both (priced $4), 11:00–11:30 the second alone at $4.
    assertGpu(gpuTime([job('10:00', '11:00', 2), job('10:30', '11:30', 4)], NOW), 5400, 1 + 2 + 2);
  });

  it('counts a job nested inside another once; a cheaper nested job adds nothing', () => {
    assertGpu(gpuTime([job('10:00', '11:00', 3), job('10:15', '10:45', 1)], NOW), 3600, 3);
    // A dearer nested job raises the price only while it runs.
    assertGpu(gpuTime([job('10:00', '11:00', 1), job('10:15', '10:45', 5)], NOW), 3600, 0.5 + 2.5);
  });

  it('counts an unfinished job up to now, merged with the finished ones', () => {
    assertGpu(gpuTime([job('11:00', null, 2)], NOW), 3600, 2);
    assertGpu(gpuTime([job('10:00', '11:30', 2), job('11:00', null, 2)], NOW), 7200, 4);
  });

  it('counts jobs that touch end to start without a gap or a double count', () => {
    assertGpu(gpuTime([job('10:00', '10:30', 2), job('10:30', '11:00', 4)], NOW), 3600, 1 + 2);
  });

  it('ignores intervals that end before they start, start after now, or have no readable start', () => {
    const broken: GpuInterval[] = [
      job('11:00', '10:00', 9),
      job('13:00', null, 9),
      { startedAt: 'yesterday', endedAt: null, hourlyUsd: 9 },
    ];
    assertGpu(gpuTime([...broken, job('10:00', '10:30', 2)], NOW), 1800, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loopMetricChart } from '../../src/cli/report/loop-metric-chart.js';
import { loopStanding } from '../../src/runtime/loop/loop-standing.js';
import type { ExperimentResults } from '../../src/state/experiment-results.js';
import { chartScales, markerCentres } from '../support/chart-raster.js';

const timing = { durationMs: 1000, startedAt: '2025-01-01T10:00:00Z', endedAt: '2025-01-01T10:00:01Z' };

/** A results log measuring `accuracy` (higher is better) with the baseline readings and experiments given. */
function results(
  margin: number | null,
  baselines: Array<number | null>,
  experiments: Array<[number | null, 'kept' | 'discarded']>,
): ExperimentResults {
  return {
    start: {
      schemaVersion: 1,
      kind: 'loop',
      metric: { name: 'accuracy', direction: 'higher' },
      baselineRepeats: baselines.length,
      margin,
      command: null,
      baseCommit: 'a'.repeat(40),
      startedAt: timing.startedAt,
    },
    baselines: baselines.map((metric, index) => ({
      schemaVersion: 1,
      kind: 'baseline',
      iteration: 0,
      repeat: index + 1,
      commit: 'a'.repeat(40),
      metric,
      ...(metric === null ? { problem: 'no number in the output' } : {}),
      ...timing,
    })),
    experiments: experiments.map(([metric, decision], index) => ({
      schemaVersion: 1,
      kind: 'experiment',
      iteration: index + 1,
      commit: metric === null ? null : String(index + 1).repeat(40),
      metric,
      decision,
      reason: decision,
      hypothesis: 'h',
      costUsd: 0,
      ...timing,
    })),
    tornTail: false,
  };
}

/** The SVG y coordinates of a band's outline. */
function bandYs(svg: string): number[] {
  const d = /<path class="band" d="([^"]*)"/.exec(svg)?.[1] ?? assert.fail('no band');
  return [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((match) => Number(match[1]));
}

describe('loopMetricChart', () => {
  it('puts the band above the best when higher is better, as wide as the fixed margin the legend names', () => {
    const log = results(
      0.05,
      [0.6, 0.62],
      [
        [0.7, 'kept'],
        [0.72, 'discarded'],
      ],
    );
    const svg = loopMetricChart(log, loopStanding(log, 0.05));
    const { y } = chartScales(svg);
    const ys = bandYs(svg);
    assert.ok(Math.abs(Math.min(...ys) - y(0.75)) < 0.05, 'the band reaches 0.7 + 0.05 above the best');
    assert.ok(Math.abs(Math.max(...ys) - y(0.61)) < 0.05, 'and starts at the best, no lower (the baseline mean 0.61)');
    assert.match(svg, /<text x="28" y="10">margin \(0\.05\)<\/text>/);
    assert.doesNotMatch(svg, /noise margin/);
    assert.deepEqual(markerCentres(svg, 'discarded').length, 1, '0.72 is inside the band: discarded, drawn as such');
  });

  it('shows a baseline that read no number as an unmeasured iteration 0, with no best line or band', () => {
    const log = results(
      null,
      [null, null],
      [
        [null, 'discarded'],
        [0.5, 'discarded'],
      ],
    );
    const svg = loopMetricChart(log, loopStanding(log, undefined));
    assert.deepEqual(
      markerCentres(svg, 'unmeasured').map(([x]) => x),
      [0, 1].map((iteration) => chartScales(svg).x(iteration)).map((x) => Math.round(x * 100) / 100),
    );
    assert.doesNotMatch(svg, /class="band"/);
    assert.match(svg, /<path d="" stroke="#4e79a7"><title>best so far<\/title>/);
    assert.match(
      svg,
      /<desc id="chart-desc">accuracy by iteration \(higher is better\)\. No baseline reading\. 2 experiments: 0 kept, 1 discarded, 1 unmeasured\.<\/desc>/,
    );
  });

  it('draws no band when the margin is zero (identical baseline readings)', () => {
    const log = results(null, [0.6, 0.6], [[0.7, 'kept']]);
    const svg = loopMetricChart(log, loopStanding(log, undefined));
    assert.doesNotMatch(svg, /class="band"/);
    assert.doesNotMatch(svg, /noise margin/);
    assert.equal(markerCentres(svg, 'kept').length, 1);
  });
});

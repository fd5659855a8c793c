import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { LOOP_CHART_COLORS, loopMetricChart } from '../../src/cli/report/loop-metric-chart.js';
import { TRAINING_CHART_COLORS, trainingCurveChart, type TrainingCurve } from '../../src/cli/report/report-training.js';
import { loopStanding } from '../../src/runtime/loop/loop-standing.js';
import type { ExperimentResults } from '../../src/state/experiment-results.js';
import {
  CHART_OUTPUT,
  chartScales,
  filledShapeAt,
  legendMarkerCentre,
  markerCentres,
  near,
  rasterise,
  relativeToRepository,
  SCALE,
  type RasterChart,
} from '../support/chart-raster.js';

/**
 * The report's two charts rendered to PNG with resvg, and read back pixel by pixel: what the chart promises (a step
 * line, marker shapes that match the legend and sit above the line, the noise band, the unmeasured iteration,
 * loss and eval_loss apart) must be there in the picture, not only in the markup. The PNGs stay under
 * test-output/charts/ for a person to look at.
 */

const timing = { durationMs: 1000, startedAt: '2025-01-01T10:00:00Z', endedAt: '2025-01-01T10:00:01Z' };
const sha = (digit: string) => digit.repeat(40);

/** Baseline 1.0 ± 0.006 over three runs (noise 0.012), eight experiments: three kept, four discarded (two of them inside the margin), one unmeasured. */
function loopResults(): ExperimentResults {
  const experiment = (iteration: number, metric: number | null, decision: 'kept' | 'discarded') => ({
    schemaVersion: 1 as const,
    kind: 'experiment' as const,
    iteration,
    commit: metric === null ? null : sha(String(iteration)),
    metric,
    decision,
    reason: decision,
    hypothesis: `idea ${iteration}`,
    costUsd: 0.01,
    ...timing,
  });
  return {
    start: {
      schemaVersion: 1,
      kind: 'loop',
      metric: { name: 'val_bpb', direction: 'lower' },
      baselineRepeats: 3,
      margin: null,
      command: 'python3 train.py',
      baseCommit: sha('a'),
      startedAt: timing.startedAt,
    },
    baselines: [1.006, 0.994, 1.0].map((metric, index) => ({
      schemaVersion: 1 as const,
      kind: 'baseline' as const,
      iteration: 0 as const,
      repeat: index + 1,
      commit: sha('a'),
      metric,
      ...timing,
    })),
    experiments: [
      experiment(1, 0.97, 'kept'),
      experiment(2, 0.99, 'discarded'),
      experiment(3, null, 'discarded'),
      experiment(4, 0.962, 'discarded'),
      experiment(5, 0.95, 'kept'),
      experiment(6, 1.01, 'discarded'),
      experiment(7, 0.93, 'kept'),
      experiment(8, 0.935, 'discarded'),
    ],
    tornTail: false,
  };
}

/** Two fine-tuning jobs: loss every 10 steps, eval_loss every 50. */
function trainingCurves(): TrainingCurve[] {
  const curve = (
    jobId: string,
    metric: 'loss' | 'eval_loss',
    every: number,
    steps: number,
    floor: number,
  ): TrainingCurve => ({
    jobId,
    label: `sft (${jobId})`,
    metric,
    points: Array.from({ length: steps / every }, (_, index) => {
      const step = (index + 1) * every;
      return { step, value: floor + 1.6 * Math.exp(-step / 60) + (metric === 'loss' ? 0.04 * Math.sin(step) : 0.1) };
    }),
  });
  return [
    curve('job-1', 'loss', 10, 300, 1.1),
    curve('job-1', 'eval_loss', 50, 300, 1.1),
    curve('job-2', 'loss', 10, 200, 1.25),
    curve('job-2', 'eval_loss', 50, 200, 1.25),
  ];
}

/** Any pixel of `color` within `radius` SVG units of (x, y). */
function colorNear(chart: RasterChart, x: number, y: number, color: string, radius = 1.5): boolean {
  return chart.count(color, { left: x - radius, top: y - radius, right: x + radius, bottom: y + radius }) > 0;
}

describe('rasterising a chart', () => {
  it('fails on an SVG that is not well-formed, as a chart with a stray "<" or an unclosed element would be', () => {
    const chart = loopMetricChart(loopResults(), loopStanding(loopResults(), undefined));
    assert.throws(() => rasterise(chart.replace('</g>', ''), 'broken'));
    assert.throws(() =>
      rasterise(chart.replace('val_bpb by iteration</text>', 'val_bpb < 1 by iteration</text>'), 'broken'),
    );
    assert.equal(existsSync(join(CHART_OUTPUT, 'broken.png')), false);
  });
});

describe('the loop chart, rendered to PNG', () => {
  const results = loopResults();
  const standing = loopStanding(results, undefined);
  const svg = loopMetricChart(results, standing);
  let chart: RasterChart;
  before(() => {
    chart = rasterise(svg, 'loop-metric');
  });
  const { x, y, plot } = chartScales(svg);

  it('decodes as a PNG of the chart size with the metric drawn, and says where it is', (t) => {
    t.diagnostic(`PNG written to ${relativeToRepository(chart.pngFile)}`);
    assert.equal(chart.width, 720 * SCALE);
    assert.equal(chart.height, 400 * SCALE);
    assert.ok(chart.count(LOOP_CHART_COLORS.best) > 300, 'the best-so-far line is drawn');
    assert.match(
      svg,
      /<title id="chart-title">val_bpb by iteration<\/title>\n<desc id="chart-desc">[^<]*3 kept, 4 discarded, 1 unmeasured[^<]*<\/desc>/,
    );
  });

  it('draws the best so far as steps: flat until a kept experiment, then straight down to it', () => {
    assert.ok(near(chart.at(x(0.5), y(1.0)), LOOP_CHART_COLORS.best), 'the baseline mean holds until iteration 1');
    assert.ok(
      near(chart.at(x(2.5), y(0.97)), LOOP_CHART_COLORS.best),
      "iteration 1's 0.97 holds through iterations 2 to 4",
    );
    assert.ok(near(chart.at(x(1), y(0.985)), LOOP_CHART_COLORS.best), 'a vertical step at iteration 1');
    assert.ok(
      !colorNear(chart, x(0.5), y(0.985), LOOP_CHART_COLORS.best, 1),
      'no straight diagonal from the baseline to iteration 1',
    );
  });

  it('shades the noise margin on the better side of the best, where a result is still not kept', () => {
    const margin = standing.margin;
    assert.ok(Math.abs(margin - 0.012) < 1e-9);
    assert.ok(near(chart.at(x(2.5), y(0.97 - margin / 2)), LOOP_CHART_COLORS.margin, 6), 'inside the band below 0.97');
    assert.ok(
      !near(chart.at(x(2.5), y(0.97 + margin / 2)), LOOP_CHART_COLORS.margin, 6),
      'nothing above the best: worse is not within the margin',
    );
    assert.ok(
      !near(chart.at(x(2.5), y(0.97 - margin * 1.5)), LOOP_CHART_COLORS.margin, 6),
      'the band ends at the margin',
    );
    assert.ok(
      near(chart.at(x(6.5), y(0.95 - margin / 2)), LOOP_CHART_COLORS.margin, 6),
      'the band steps down with the best',
    );
    assert.ok(chart.count(LOOP_CHART_COLORS.margin, undefined, 6) > 2000);
    const [legendX, legendY] = legendBox(svg, `noise margin (0.012)`);
    assert.ok(
      chart.count(
        LOOP_CHART_COLORS.margin,
        { left: legendX, top: legendY, right: legendX + 22, bottom: legendY + 12 },
        6,
      ) > 100,
      'the legend shows the band',
    );
  });

  it('draws kept, discarded and baseline points as circles, crosses and squares, the same as in the legend, above the line', () => {
    const expected = [
      {
        series: 'kept',
        color: LOOP_CHART_COLORS.kept,
        shape: 'circle',
        points: [
          [1, 0.97],
          [5, 0.95],
          [7, 0.93],
        ],
      },
      {
        series: 'discarded',
        color: LOOP_CHART_COLORS.discarded,
        shape: 'cross',
        points: [
          [2, 0.99],
          [4, 0.962],
          [6, 1.01],
          [8, 0.935],
        ],
      },
      {
        series: 'baseline runs',
        color: LOOP_CHART_COLORS.baseline,
        shape: 'square',
        points: [
          [0, 1.006],
          [0, 0.994],
          [0, 1.0],
        ],
      },
    ] as const;
    for (const { series, color, shape, points } of expected) {
      const centres = markerCentres(svg, series);
      assert.equal(centres.length, points.length, `${series}: one marker per measured point`);
      centres.forEach(([cx, cy], index) => {
        const [px, py] = points[index]!;
        assert.ok(
          Math.abs(cx - x(px)) < 0.02 && Math.abs(cy - y(py)) < 0.02,
          `${series} marker ${index} at (${px}, ${py})`,
        );
        if (series === 'baseline runs' && index < 2) return; // the three baseline runs overlap: the last one drawn is whole
        assert.equal(filledShapeAt(chart, cx, cy, color), shape, `${series} marker at (${px}, ${py}) is a ${shape}`);
      });
      const legend = legendMarkerCentre(svg, series) ?? assert.fail(`no legend marker for ${series}`);
      assert.equal(
        filledShapeAt(chart, legend[0], legend[1], color),
        shape,
        `the legend's ${series} marker is a ${shape}`,
      );
    }
    assert.ok(
      near(chart.at(x(5) + 3.5, y(0.95)), LOOP_CHART_COLORS.kept, 40),
      'the kept marker covers the line that runs on through it',
    );
  });

  it('marks the unmeasured iteration with a dotted rule and a hollow diamond on the axis, and no point', () => {
    const [centre] = markerCentres(svg, 'unmeasured');
    assert.ok(centre, 'a marker for iteration 3');
    assert.ok(
      Math.abs(centre[0] - x(3)) < 0.02 && Math.abs(centre[1] - plot.bottom) < 0.5,
      `on the x axis at iteration 3: ${centre.join(',')}`,
    );
    assert.ok(near(chart.at(centre[0], centre[1]), '#ffffff', 8), 'hollow');
    assert.ok(colorNear(chart, centre[0] + 5.5, centre[1], LOOP_CHART_COLORS.unmeasured), 'outlined in grey');
    const rule = chart.count(LOOP_CHART_COLORS.unmeasured, {
      left: x(3) - 1,
      top: plot.top,
      right: x(3) + 1,
      bottom: plot.bottom - 10,
    });
    const ruleHeight = (plot.bottom - 10 - plot.top) * SCALE;
    assert.ok(
      rule > ruleHeight * 0.3 && rule < ruleHeight * 2 * 0.8,
      `a dotted rule, not a solid one: ${rule} grey pixels over ${ruleHeight} rows`,
    );
    for (const color of [LOOP_CHART_COLORS.kept, LOOP_CHART_COLORS.discarded])
      assert.equal(colorNear(chart, x(3), y(0.97), color, 6), false, 'no point drawn for it');
    const legend = legendMarkerCentre(svg, 'unmeasured') ?? assert.fail('no legend marker for unmeasured');
    assert.ok(
      near(chart.at(legend[0], legend[1]), '#ffffff', 8) &&
        colorNear(chart, legend[0] + 5.5, legend[1], LOOP_CHART_COLORS.unmeasured),
      'the legend shows the hollow diamond',
    );
  });
});

describe('the training chart, rendered to PNG', () => {
  const curves = trainingCurves();
  const svg = trainingCurveChart({ jobs: [], curves })!;
  let chart: RasterChart;
  before(() => {
    chart = rasterise(svg, 'training-curve');
  });
  const { x, y } = chartScales(svg);

  it('decodes as a PNG of the chart size, and says where it is', (t) => {
    t.diagnostic(`PNG written to ${relativeToRepository(chart.pngFile)}`);
    assert.equal(chart.width, 720 * SCALE);
    assert.equal(chart.height, 400 * SCALE);
    assert.match(
      svg,
      /<desc id="chart-desc">Training loss \(solid\) and eval_loss \(dashed, a circle on each evaluation\) by step, for sft \(job-1\), sft \(job-2\)\.<\/desc>/,
    );
  });

  it('draws loss and eval_loss of each job in four different colours', () => {
    const colors = TRAINING_CHART_COLORS.slice(0, 2).flatMap((pair) => [pair.loss, pair.evalLoss]);
    assert.equal(new Set(colors).size, 4);
    for (const color of colors) assert.ok(chart.count(color, undefined, 12) > 150, `${color} is drawn`);
    for (const [index, jobId] of ['job-1', 'job-2'].entries()) {
      const loss = curves.find((curve) => curve.jobId === jobId && curve.metric === 'loss')!;
      const between = loss.points.filter((point) => point.step % 50 !== 0).slice(2, 6);
      for (const point of between)
        assert.ok(
          colorNear(chart, x(point.step), y(point.value), TRAINING_CHART_COLORS[index]!.loss),
          `${jobId} loss at step ${point.step} in its colour`,
        );
    }
  });

  it('puts a circle in the eval colour on every eval point, above the loss lines, as in the legend', () => {
    for (const [index, jobId] of ['job-1', 'job-2'].entries()) {
      const color = TRAINING_CHART_COLORS[index]!.evalLoss;
      const name = `sft (${jobId}) eval_loss`;
      const evals = curves.find((curve) => curve.jobId === jobId && curve.metric === 'eval_loss')!.points;
      const centres = markerCentres(svg, name);
      assert.equal(centres.length, evals.length, `${name}: a marker per eval`);
      centres.forEach(([cx, cy], point) => {
        assert.ok(Math.abs(cx - x(evals[point]!.step)) < 0.02 && Math.abs(cy - y(evals[point]!.value)) < 0.02);
        assert.equal(filledShapeAt(chart, cx, cy, color), 'circle', `${name} at step ${evals[point]!.step}`);
      });
      const legend = legendMarkerCentre(svg, name) ?? assert.fail(`no legend marker for ${name}`);
      assert.equal(filledShapeAt(chart, legend[0], legend[1], color), 'circle');
      assert.equal(legendMarkerCentre(svg, `sft (${jobId}) loss`), undefined, 'the loss line has no markers');
    }
  });
});

/** The top left (SVG units) of a legend entry's sample. */
function legendBox(svg: string, name: string): [number, number] {
  for (const entry of svg.matchAll(
    /<g class="legend-entry" transform="translate\(([\d.]+) ([\d.]+)\)">\n(?:[^\n]*\n)*?<text x="28" y="10">([^<]*)<\/text>/g,
  )) {
    if (entry[3] === name) return [Number(entry[1]), Number(entry[2])];
  }
  return assert.fail(`no legend entry ${name}`);
}

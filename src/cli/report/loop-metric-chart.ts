import { formatMetric } from '../../runtime/loop/keep-decision.js';
import type { LoopStanding } from '../../runtime/loop/loop-standing.js';
import type { ExperimentResults } from '../../state/experiment-results.js';
import { renderLineChart, type ChartPoint } from './svg-line-chart.js';

/** The loop chart's colours (Tableau 10): the running best in blue, kept green, discarded red, baseline runs brown. */
export const LOOP_CHART_COLORS = {
  best: '#4e79a7',
  margin: '#dce6f0',
  kept: '#59a14f',
  discarded: '#e15759',
  baseline: '#9c755f',
  unmeasured: '#7f7f7f',
} as const;

/**
 * An experiment loop's metric by iteration, as an SVG chart: the best so far as a step line (it changes only where
 * an experiment is kept), the noise margin as a band on its better side (an experiment must land past the band to
 * be kept), the baseline runs as squares at iteration 0, kept experiments as circles and discarded ones as crosses,
 * all drawn above the line, and an iteration that measured nothing as a dotted rule with a hollow diamond on the
 * x axis.
 */
export function loopMetricChart(results: ExperimentResults, standing: LoopStanding): string {
  const name = results.start?.metric.name ?? 'metric';
  const direction = results.start?.metric.direction ?? 'lower';
  const measured = (lines: ExperimentResults['experiments']): ChartPoint[] =>
    lines.flatMap((line) => (line.metric === null ? [] : [{ x: line.iteration, y: line.metric }]));
  const best: Array<{ x: number; y: number }> = [];
  if (standing.baseline) best.push({ x: 0, y: standing.baseline.mean });
  results.experiments.forEach((line, index) => {
    const after = line.decision === 'kept' && line.metric !== null ? line.metric : standing.bestBefore[index];
    if (after !== null && after !== undefined) best.push({ x: line.iteration, y: after });
  });
  const kept = measured(results.experiments.filter((line) => line.decision === 'kept'));
  const discarded = measured(results.experiments.filter((line) => line.decision === 'discarded'));
  const baselineRuns = results.baselines.flatMap((line) => (line.metric === null ? [] : [{ x: 0, y: line.metric }]));
  const unmeasured = [
    ...(standing.baseline === undefined && results.baselines.length > 0 ? [0] : []),
    ...results.experiments.filter((line) => line.metric === null).map((line) => line.iteration),
  ];
  const toward = direction === 'lower' ? -1 : 1;
  const margin = standing.margin;
  const marginName = `${results.start?.margin === null || results.start === undefined ? 'noise margin' : 'margin'} (${formatMetric(margin)})`;

  const summary = [
    standing.baseline
      ? `Baseline ${formatMetric(standing.baseline.mean)} over ${standing.baseline.readings} run${standing.baseline.readings === 1 ? '' : 's'}.`
      : 'No baseline reading.',
    `${standing.experiments} experiment${standing.experiments === 1 ? '' : 's'}: ${kept.length} kept, ${discarded.length} discarded, ${results.experiments.filter((line) => line.metric === null).length} unmeasured.`,
    standing.best
      ? `Best ${formatMetric(standing.best.metric)} at ${standing.best.iteration === 0 ? 'the baseline' : `iteration ${standing.best.iteration}`}.`
      : '',
    margin > 0 ? `Kept only when better than the best by more than ${formatMetric(margin)}: past the band.` : '',
  ].filter(Boolean);
  return renderLineChart({
    title: `${name} by iteration`,
    description: `${name} by iteration (${direction} is better). ${summary.join(' ')}`,
    xLabel: 'iteration (0: baseline)',
    yLabel: `${name} (${direction} is better)`,
    wholeX: true,
    series: [
      { name: 'best so far', points: best, color: LOOP_CHART_COLORS.best, line: 'step' },
      {
        name: 'baseline runs',
        points: baselineRuns,
        color: LOOP_CHART_COLORS.baseline,
        line: 'none',
        marker: 'square',
      },
      { name: 'kept', points: kept, color: LOOP_CHART_COLORS.kept, line: 'none', marker: 'circle' },
      { name: 'discarded', points: discarded, color: LOOP_CHART_COLORS.discarded, line: 'none', marker: 'cross' },
    ],
    bands:
      margin > 0 && best.length > 0
        ? [
            {
              name: marginName,
              color: LOOP_CHART_COLORS.margin,
              step: true,
              points: best.map((point) => ({
                x: point.x,
                low: Math.min(point.y, point.y + toward * margin),
                high: Math.max(point.y, point.y + toward * margin),
              })),
            },
          ]
        : [],
    legendOrder: ['best so far', marginName, 'baseline runs', 'kept', 'discarded', 'unmeasured'],
    gaps:
      unmeasured.length > 0
        ? [{ name: 'unmeasured', xs: unmeasured, color: LOOP_CHART_COLORS.unmeasured, marker: 'diamond' }]
        : [],
  });
}

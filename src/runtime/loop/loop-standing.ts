import type { ExperimentLine, ExperimentResults } from '../../state/experiment-results.js';

export type MetricDirection = 'lower' | 'higher';

/** The best result so far: the baseline (iteration 0, the mean of its readings) or a kept experiment. */
export interface BestResult {
  metric: number;
  commit: string;
  iteration: number;
}

/** Where a loop stands, computed from its results log alone (so a resumed loop stands where it stood). */
export interface LoopStanding {
  /** Mean of the readable baseline measurements, and their spread (max − min): the noise. */
  baseline: { mean: number; noise: number; readings: number } | undefined;
  /** How much better than the best a result must be to be kept. */
  margin: number;
  best: BestResult | undefined;
  /** The best before each experiment, in order (null: none yet). */
  bestBefore: Array<number | null>;
  experiments: number;
  kept: number;
  /** Experiments since the last kept one (or since the baseline). */
  sinceLastKept: number;
  /** USD of the experiments' model calls. */
  costUsd: number;
  /** Wall time of the baseline and the experiments. */
  durationMs: number;
}

/** How much `to` improves on `from` in the metric's direction: positive is better. */
export function improvement(direction: MetricDirection, from: number, to: number): number {
  return direction === 'lower' ? from - to : to - from;
}

/** The loop's standing; `margin` is the goal's fixed margin, undefined for the measured noise. */
export function loopStanding(results: ExperimentResults, margin: number | undefined): LoopStanding {
  const readings = results.baselines.map((line) => line.metric).filter((metric): metric is number => metric !== null);
  const baseline =
    readings.length === 0
      ? undefined
      : {
          mean: readings.reduce((sum, value) => sum + value, 0) / readings.length,
          noise: Math.max(...readings) - Math.min(...readings),
          readings: readings.length,
        };
  const baseCommit = results.start?.baseCommit ?? results.baselines[0]?.commit;
  let best: BestResult | undefined =
    baseline && baseCommit !== undefined ? { metric: baseline.mean, commit: baseCommit, iteration: 0 } : undefined;
  const bestBefore: Array<number | null> = [];
  let sinceLastKept = 0;
  for (const experiment of results.experiments) {
    bestBefore.push(best?.metric ?? null);
    if (isKept(experiment)) {
      best = { metric: experiment.metric, commit: experiment.commit, iteration: experiment.iteration };
      sinceLastKept = 0;
    } else sinceLastKept += 1;
  }
  const durations = [...results.baselines, ...results.experiments].reduce((sum, line) => sum + line.durationMs, 0);
  return {
    baseline,
    margin: margin ?? baseline?.noise ?? 0,
    best,
    bestBefore,
    experiments: results.experiments.length,
    kept: results.experiments.filter(isKept).length,
    sinceLastKept,
    costUsd: results.experiments.reduce((sum, line) => sum + line.costUsd, 0),
    durationMs: durations,
  };
}

function isKept(line: ExperimentLine): line is ExperimentLine & { metric: number; commit: string } {
  return line.decision === 'kept' && line.metric !== null && line.commit !== null;
}

import type { GoalLoop } from '../../config/goal-loop.js';
import { formatDuration } from '../../text/duration.js';
import { formatMetric } from './keep-decision.js';
import type { LoopStanding } from './loop-standing.js';

/** Why the loop stopped on its own terms (the run's limits stop it as they stop any run). */
export interface LoopStop {
  reason: 'metric_reached' | 'max_iterations' | 'no_improvement' | 'budget' | 'time';
  text: string;
}

/**
 * The first of the goal's stop conditions that holds, checked before each new experiment; undefined: go on.
 * A threshold counts the best (the baseline included), so a baseline that already reaches it runs no experiment.
 */
export function loopStopFor(loop: GoalLoop, standing: LoopStanding): LoopStop | undefined {
  const { stop, metric } = loop;
  const best = standing.best?.metric;
  if (
    stop?.metric !== undefined &&
    best !== undefined &&
    (metric.direction === 'lower' ? best <= stop.metric : best >= stop.metric)
  ) {
    return {
      reason: 'metric_reached',
      text: `the best ${metric.name} ${formatMetric(best)} reached the threshold ${formatMetric(stop.metric)}`,
    };
  }
  if (loop.maxIterations !== undefined && standing.experiments >= loop.maxIterations) {
    return {
      reason: 'max_iterations',
      text: `${loop.maxIterations} iteration${loop.maxIterations === 1 ? '' : 's'} done (maxIterations)`,
    };
  }
  if (stop?.noImprovementFor !== undefined && standing.sinceLastKept >= stop.noImprovementFor) {
    return {
      reason: 'no_improvement',
      text: `no improvement for ${standing.sinceLastKept} iterations (stop.noImprovementFor ${stop.noImprovementFor})`,
    };
  }
  if (stop?.budgetUsd !== undefined && standing.costUsd >= stop.budgetUsd) {
    return {
      reason: 'budget',
      text: `the iterations cost $${standing.costUsd.toFixed(4)}, reaching stop.budgetUsd $${stop.budgetUsd}`,
    };
  }
  if (stop?.time !== undefined && standing.durationMs >= stop.time) {
    return {
      reason: 'time',
      text: `the loop worked ${formatDuration(standing.durationMs)}, reaching stop.time ${formatDuration(stop.time)}`,
    };
  }
  return undefined;
}

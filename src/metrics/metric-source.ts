import type { GoalMetricSource } from '../config/goal-loop.js';

/**
 * Where a measurement leaves its metric, in the one vocabulary the loop and the PostgreSQL hub share: the
 * goal's `loop.metric.from` (a field of a JSON file, `json`; the last match of a regex over a log file, `log`),
 * or the evaluation's own output (a field of the last JSON line on stdout, `stdout-json`, the default field being
 * the metric's name; the first capture group of a regex over stdout and stderr, `output-regex`). Files are
 * relative to the checkout measured. Nothing stores these kinds: they are built from the goal each run.
 */
export type MetricSource =
  GoalMetricSource | { kind: 'stdout-json'; field?: string } | { kind: 'output-regex'; regex: string };

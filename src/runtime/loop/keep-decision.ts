import { improvement, type MetricDirection } from './loop-standing.js';

export interface KeepDecision {
  decision: 'kept' | 'discarded';
  reason: string;
}

/**
 * Whether a measured experiment is kept: only when it beats the best by MORE than the margin. A result within
 * the margin may be noise, and is discarded like a regression.
 */
export function decideKeep(
  metric: number,
  best: number | undefined,
  margin: number,
  direction: MetricDirection,
): KeepDecision {
  if (best === undefined)
    return { decision: 'kept', reason: 'the first readable metric (the baseline could not be read)' };
  const gain = improvement(direction, best, metric);
  // Decimal values are not exact in binary: 0.75 − 0.7 must not beat a margin of 0.05 by a rounding error.
  const tolerance = 1e-12 * Math.max(1, Math.abs(best), Math.abs(metric));
  const delta = `${formatMetric(metric - best, { signed: true })} vs the best ${formatMetric(best)}`;
  if (gain > margin + tolerance)
    return { decision: 'kept', reason: `better: ${delta}, more than the margin ${formatMetric(margin)}` };
  if (gain > tolerance)
    return {
      decision: 'discarded',
      reason: `within the noise margin: ${delta} is not more than ${formatMetric(margin)}`,
    };
  if (gain >= -tolerance)
    return { decision: 'discarded', reason: `no better: the same as the best ${formatMetric(best)}` };
  return { decision: 'discarded', reason: `worse: ${delta}` };
}

/** A metric value in a few significant digits: 0.0399, 1.25e-7, +0.002. */
export function formatMetric(value: number, options: { signed?: boolean } = {}): string {
  const text =
    value === 0
      ? '0'
      : Math.abs(value) >= 1e-4 && Math.abs(value) < 1e6
        ? String(Number(value.toPrecision(4)))
        : value.toExponential(3);
  return options.signed && value > 0 ? `+${text}` : text;
}

/** The nearest-rank percentile of `samples` (`fraction` 0.5 for the median), NaN when there is none; sorts a copy. */
export function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

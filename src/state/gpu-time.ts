/** One training job's claim on the GPU: when it ran (an unfinished job has no end yet) and what an hour costs. */
export interface GpuInterval {
  startedAt: string;
  endedAt: string | null;
  hourlyUsd: number;
}

/**
 * GPU time of a run: the union of its training jobs' intervals (overlapping jobs on one box are not counted twice);
 * an unfinished job counts up to `now`. Cost = each instant priced at the highest hourlyUsd among the jobs running
 * then. An interval whose start is not a timestamp, or that ends before it starts, counts for nothing.
 */
export function gpuTime(intervals: readonly GpuInterval[], now: Date): { seconds: number; costUsd: number } {
  const spans = intervals
    .map((interval) => ({
      start: Date.parse(interval.startedAt),
      end: interval.endedAt === null ? now.getTime() : Date.parse(interval.endedAt),
      hourlyUsd: interval.hourlyUsd,
    }))
    .filter((span) => Number.isFinite(span.start) && Number.isFinite(span.end) && span.end > span.start);
  // Between two consecutive boundaries the set of running jobs does not change: price each such slice once.
  const boundaries = [...new Set(spans.flatMap((span) => [span.start, span.end]))].sort((a, b) => a - b);
  let milliseconds = 0;
  let costUsd = 0;
  for (let index = 0; index + 1 < boundaries.length; index += 1) {
    const from = boundaries[index]!;
    const to = boundaries[index + 1]!;
    const running = spans.filter((span) => span.start <= from && span.end >= to);
    if (running.length === 0) continue;
    milliseconds += to - from;
    costUsd += ((to - from) / 3_600_000) * Math.max(...running.map((span) => span.hourlyUsd));
  }
  return { seconds: milliseconds / 1000, costUsd };
}

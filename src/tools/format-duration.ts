/** A limit in milliseconds as a person reads it: `300 ms`, `1.5 s`, `120 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${milliseconds} ms`;
  return `${Number((milliseconds / 1_000).toFixed(1))} s`;
}

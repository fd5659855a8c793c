/**
 * A cost as people read it: `$0.0123`; with calls of unknown cost, `$0.0123 + cost unknown for fake/x-model`, or only
 * `cost unknown for fake/x-model` when nothing known was spent — never a `$0.0000` that hides them.
 */
export function costText(
  usd: number,
  unknownModels: readonly string[],
  format: (usd: number) => string = (amount) => `$${amount.toFixed(4)}`,
): string {
  if (unknownModels.length === 0) return format(usd);
  const unknown = `cost unknown for ${unknownModels.join(', ')}`;
  return usd > 0 ? `${format(usd)} + ${unknown}` : unknown;
}

/** A table cell for a row that names its agent or model itself: `$0.0123`, `$0.0123 + unknown`, or `unknown`. */
export function costCell(
  usd: number,
  unknownCalls: number,
  format: (usd: number) => string = (amount) => `$${amount.toFixed(4)}`,
): string {
  if (unknownCalls === 0) return format(usd);
  return usd > 0 ? `${format(usd)} + unknown` : 'unknown';
}

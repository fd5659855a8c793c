import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
/** One part of a compound duration: "1h" of "1h30m". */
const PART_PATTERN = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*/y;

/**
 * "90s", "45m", "2h", "1.5h", a bare number of seconds, or parts from the largest unit down ("1h30m", "2m 30s",
 * "1d12h") → milliseconds; undefined when unreadable.
 */
export function parseDuration(value: string | number): number | undefined {
  let milliseconds: number;
  if (typeof value === 'number') milliseconds = Math.round(value * 1000);
  else {
    const text = value.trim();
    const match = DURATION_PATTERN.exec(text);
    if (match) milliseconds = Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1_000));
    else {
      const compound = parseCompound(text);
      if (compound === undefined) return undefined;
      milliseconds = compound;
    }
  }
  // Rounded first: "0.2ms" would otherwise be a timeout of 0.
  return Number.isFinite(milliseconds) && milliseconds > 0 ? milliseconds : undefined;
}

/** "1h30m": every part with its unit, each unit smaller than the one before; undefined otherwise. */
function parseCompound(text: string): number | undefined {
  PART_PATTERN.lastIndex = 0;
  let total = 0;
  let previousUnit = Number.POSITIVE_INFINITY;
  let parts = 0;
  while (PART_PATTERN.lastIndex < text.length) {
    const part = PART_PATTERN.exec(text);
    const unit = part ? UNIT_MS[part[2]!] : undefined;
    if (!part || unit === undefined || unit >= previousUnit) return undefined;
    total += Number(part[1]) * unit;
    previousUnit = unit;
    parts += 1;
  }
  return parts > 1 ? Math.round(total) : undefined;
}

/** Accepts what parseDuration reads; outputs milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, context) => {
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined) {
    context.addIssue({
      code: 'custom',
      message: 'must be a positive duration: seconds as a number, or "90s", "45m", "2h", "1h30m"',
    });
    return z.NEVER;
  }
  return milliseconds;
});

/** Milliseconds as a person reads them: `400 ms`, `2.5 s`, `45 s`, `1 min 30 s`, `2 h 05 min`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1_000;
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

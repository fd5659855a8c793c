/** Longer lines are log output, not progress (docs/training-protocol.md). */
export const MAX_PROGRESS_LINE_BYTES = 64 * 1024;

/** One line of the progress protocol: a JSON object with a string `event`. */
export interface ProgressRecord {
  event: string;
  step: number | null;
  /** The whole object as printed, `event` included. */
  data: Record<string, unknown>;
  /** Its numeric fields other than `step` (loss, learning_rate, eval_loss, total_steps, …). */
  numbers: Record<string, number>;
  /** Fields Python printed as NaN, Infinity or -Infinity (json.dumps does that; they are kept as those strings). */
  nonFinite: string[];
}

/** Python's json.dumps writes NaN and ±Infinity bare, which JSON does not allow: read them as strings. */
const NON_FINITE_VALUE = /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;

/** The progress record a log line carries, or undefined for ordinary log output. */
export function parseProgressLine(line: string): ProgressRecord | undefined {
  const text = line.trim();
  if (!text.startsWith('{') || text.length > MAX_PROGRESS_LINE_BYTES) return undefined;
  const value = parseJson(text) ?? parseJson(text.replace(NON_FINITE_VALUE, '$1"$2"'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const data = value as Record<string, unknown>;
  if (typeof data.event !== 'string' || data.event.length === 0) return undefined;
  const numbers: Record<string, number> = {};
  const nonFinite: string[] = [];
  for (const [key, field] of Object.entries(data)) {
    if (key !== 'step' && typeof field === 'number' && Number.isFinite(field)) numbers[key] = field;
    if (field === 'NaN' || field === 'Infinity' || field === '-Infinity') nonFinite.push(key);
  }
  const step = typeof data.step === 'number' && Number.isFinite(data.step) ? data.step : null;
  return { event: data.event, step, data, numbers, nonFinite };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

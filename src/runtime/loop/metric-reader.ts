import { readFile, stat } from 'node:fs/promises';
import { formatFieldPath, type FieldPathSegment } from '../../config/goal-phases-field-path.js';
import type { MetricSource } from '../../config/goal-loop.js';
import { resolveWorkdirPath } from '../phases/workdir-path.js';

/** A metric file bigger than this is not read (a log is read from its end). */
const MAX_METRIC_FILE_BYTES = 64 * 1024 * 1024;

/** The metric as read, or why it could not be: in words for the results log and the orchestrator. */
export type MetricReading = { value: number } | { problem: string };

/** Reads the metric from its source inside the workdir (`workdirRealPath`: a real path). */
export async function readMetric(workdirRealPath: string, source: MetricSource): Promise<MetricReading> {
  const resolved = await resolveWorkdirPath(workdirRealPath, source.path);
  if (resolved.kind === 'refused') return { problem: `\`${source.path}\` is refused: ${resolved.reason}` };
  if (resolved.kind === 'missing') return { problem: `\`${source.path}\` does not exist` };
  const size = (await stat(resolved.realPath)).size;
  if (source.kind === 'json' && size > MAX_METRIC_FILE_BYTES) return { problem: `\`${source.path}\` has ${size} bytes, more than the ${MAX_METRIC_FILE_BYTES} read for a metric` };
  const buffer = await readFile(resolved.realPath);
  const text = buffer.subarray(Math.max(0, buffer.length - MAX_METRIC_FILE_BYTES)).toString('utf8');
  return source.kind === 'json' ? metricFromJson(text, source.path, source.fieldPath) : metricFromLog(text, source.path, source.regex);
}

/** The metric from a JSON document's field (`path` names the file in messages). The hub's reader uses this too. */
export function metricFromJson(text: string, path: string, fieldPath: readonly FieldPathSegment[]): MetricReading {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { problem: `\`${path}\` is not valid JSON: ${(error as Error).message.split('\n')[0]?.slice(0, 160)}` };
  }
  for (const [position, segment] of fieldPath.entries()) {
    const container = value as Record<string | number, unknown> | null;
    const present = typeof segment === 'number' ? Array.isArray(container) && segment < container.length : typeof container === 'object' && container !== null && !Array.isArray(container) && Object.hasOwn(container, segment);
    if (!present) return { problem: `\`${path}\` has no field ${formatFieldPath(fieldPath.slice(0, position + 1))}` };
    value = container![segment];
  }
  return asMetric(value, `field ${formatFieldPath(fieldPath)} of \`${path}\``);
}

/** The last match wins: a log grows, and its newest line is the experiment's result. The hub's reader uses this too. */
export function metricFromLog(text: string, path: string, regex: string): MetricReading {
  let last: RegExpExecArray | undefined;
  for (const match of text.matchAll(new RegExp(regex, 'gm'))) last = match;
  if (last === undefined) return { problem: `no line of \`${path}\` matches /${regex}/` };
  const captured = last.slice(1).find((group) => group !== undefined);
  return asMetric(captured === undefined || captured.trim() === '' ? captured : Number(captured.trim()), `the last match of /${regex}/ in \`${path}\` ("${last[0].slice(0, 80)}")`);
}

function asMetric(value: unknown, where: string): MetricReading {
  if (typeof value === 'number' && Number.isFinite(value)) return { value };
  return { problem: `${where} is ${JSON.stringify(value) ?? 'missing'}, not a finite number` };
}

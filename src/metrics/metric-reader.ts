import { readFile, stat } from 'node:fs/promises';
import { formatFieldPath, type FieldPathSegment } from '../config/goal-phases-field-path.js';
import type { MetricSource } from './metric-source.js';

/** A metric file bigger than this is not read (a log is read from its end). */
const MAX_METRIC_FILE_BYTES = 64 * 1024 * 1024;

/** The metric as read, or why it could not be: in words for the results log, the orchestrator and verifications. */
export type MetricReading = { value: number } | { problem: string };

/** Where a file a source names lies (a path to read), or why it is not read. */
export type MetricFile = { realPath: string } | { problem: string };

/** What a source is read from: the checkout's files, through the caller's rule for paths, and the evaluation's output. */
export interface MetricInputs {
  /** Finds a file the source names (relative to the checkout): the loop refuses paths that lead outside its workdir. */
  locate(path: string): Promise<MetricFile>;
  /** What the evaluation printed, for the output sources; none: empty. */
  output?: { stdout: string; stderr: string };
  /** The metric's name: the field of a JSON line on stdout when the source names none. */
  metricName?: string;
}

/** The one metric reader: every source kind, for the loop's own measurements and for the hub's verifications alike. */
export async function readMetric(source: MetricSource, inputs: MetricInputs): Promise<MetricReading> {
  switch (source.kind) {
    case 'json':
    case 'log':
      return readMetricFile(source, inputs);
    case 'stdout-json':
      return metricFromStdoutJson(inputs.output?.stdout ?? '', source.field ?? inputs.metricName ?? '');
    case 'output-regex':
      return metricFromOutput(`${inputs.output?.stdout ?? ''}\n${inputs.output?.stderr ?? ''}`, source.regex);
  }
}

async function readMetricFile(
  source: Extract<MetricSource, { kind: 'json' | 'log' }>,
  inputs: MetricInputs,
): Promise<MetricReading> {
  const file = await inputs.locate(source.path);
  if ('problem' in file) return file;
  const size = (await stat(file.realPath)).size;
  if (source.kind === 'json' && size > MAX_METRIC_FILE_BYTES)
    return {
      problem: `\`${source.path}\` has ${size} bytes, more than the ${MAX_METRIC_FILE_BYTES} read for a metric`,
    };
  const buffer = await readFile(file.realPath);
  const text = buffer.subarray(Math.max(0, buffer.length - MAX_METRIC_FILE_BYTES)).toString('utf8');
  return source.kind === 'json'
    ? metricFromJson(text, source.path, source.fieldPath)
    : metricFromLog(text, source.path, source.regex);
}

/** The metric from a JSON document's field (`path` names the file in messages). */
function metricFromJson(text: string, path: string, fieldPath: readonly FieldPathSegment[]): MetricReading {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { problem: `\`${path}\` is not valid JSON: ${(error as Error).message.split('\n')[0]?.slice(0, 160)}` };
  }
  for (const [position, segment] of fieldPath.entries()) {
    const container = value as Record<string | number, unknown> | null;
    const present =
      typeof segment === 'number'
        ? Array.isArray(container) && segment < container.length
        : typeof container === 'object' &&
          container !== null &&
          !Array.isArray(container) &&
          Object.hasOwn(container, segment);
    if (!present) return { problem: `\`${path}\` has no field ${formatFieldPath(fieldPath.slice(0, position + 1))}` };
    value = container![segment];
  }
  return asMetric(value, `field ${formatFieldPath(fieldPath)} of \`${path}\``);
}

/** The last match wins: a log grows, and its newest line is the experiment's result. */
function metricFromLog(text: string, path: string, regex: string): MetricReading {
  let last: RegExpExecArray | undefined;
  for (const match of text.matchAll(new RegExp(regex, 'gm'))) last = match;
  if (last === undefined) return { problem: `no line of \`${path}\` matches /${regex}/` };
  const captured = last.slice(1).find((group) => group !== undefined);
  return asMetric(
    captured === undefined || captured.trim() === '' ? captured : Number(captured.trim()),
    `the last match of /${regex}/ in \`${path}\` ("${last[0].slice(0, 80)}")`,
  );
}

/** The last JSON line of stdout that has the (dotted) field; a number printed as a string counts. */
function metricFromStdoutJson(stdout: string, field: string): MetricReading {
  const lines = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .reverse();
  for (const line of lines) {
    const value = fieldOf(tryParse(line), field);
    if (value !== undefined) return asNumber(value, `"${field}" on stdout`);
  }
  return { problem: `no JSON line on stdout has a "${field}" field` };
}

/** The first match of a regex over the output, its first capture group. */
function metricFromOutput(output: string, regex: string): MetricReading {
  const match = new RegExp(regex, 'm').exec(output);
  if (!match?.[1]) return { problem: `the output does not match /${regex}/ (or it has no capture group)` };
  return asNumber(match[1], `the capture of /${regex}/`);
}

function tryParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function fieldOf(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(part in current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asMetric(value: unknown, where: string): MetricReading {
  if (typeof value === 'number' && Number.isFinite(value)) return { value };
  return { problem: `${where} is ${JSON.stringify(value) ?? 'missing'}, not a finite number` };
}

function asNumber(value: unknown, what: string): MetricReading {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return { problem: `${what} is not a finite number: ${JSON.stringify(value)}` };
  return { value: number };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFieldPath } from '../config/goal-phases-field-path.js';
import { metricFromJson, metricFromLog, type MetricReading } from '../runtime/loop/metric-reader.js';

/**
 * Where an evaluation leaves its metric: a field of the last JSON object printed on stdout (the default), a field
 * of a JSON file it writes, the first capture group of a regex over its output, or of the last match of a regex
 * over a log file it writes (files relative to the checkout). `field` is a dotted path, default the metric's name.
 * The loop's `metric.from` of a goal maps onto these: `{json, field}` is `json-file`, `{log, regex}` is `log-file`;
 * those two are read by the loop's own parsers (src/runtime/loop/metric-reader.ts), so both judge a metric alike.
 */
export type MetricSource =
  | { kind: 'stdout-json'; field?: string }
  | { kind: 'json-file'; path: string; field?: string }
  | { kind: 'regex'; pattern: string }
  | { kind: 'log-file'; path: string; pattern: string };

export function readMetric(source: MetricSource, metricName: string, output: { stdout: string; stderr: string; cwd: string }): number {
  switch (source.kind) {
    case 'stdout-json': {
      const field = source.field ?? metricName;
      const lines = output.stdout.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{')).reverse();
      for (const line of lines) {
        const value = fieldOf(tryParse(line), field);
        if (value !== undefined) return asNumber(value, `"${field}" on stdout`);
      }
      throw new Error(`no JSON line on stdout has a "${field}" field`);
    }
    case 'json-file': {
      const field = source.field ?? metricName;
      const parsed = parseFieldPath(field);
      if ('problem' in parsed) throw new Error(parsed.problem);
      return valueOf(metricFromJson(readText(output.cwd, source.path, 'the metric file'), source.path, parsed.segments));
    }
    case 'log-file':
      return valueOf(metricFromLog(readText(output.cwd, source.path, 'the log'), source.path, source.pattern));
    case 'regex': {
      const match = new RegExp(source.pattern, 'm').exec(`${output.stdout}\n${output.stderr}`);
      if (!match?.[1]) throw new Error(`the output does not match /${source.pattern}/ (or it has no capture group)`);
      return asNumber(match[1], `the capture of /${source.pattern}/`);
    }
  }
}

function readText(cwd: string, path: string, what: string): string {
  try {
    return readFileSync(join(cwd, path), 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

function valueOf(reading: MetricReading): number {
  if ('problem' in reading) throw new Error(reading.problem);
  return reading.value;
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

function asNumber(value: unknown, what: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new Error(`${what} is not a finite number: ${JSON.stringify(value)}`);
  return number;
}

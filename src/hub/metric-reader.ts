import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where an evaluation leaves its metric: a field of the last JSON object printed on stdout (the default), a field
 * of a JSON file it writes, the first capture group of a regex over its output, or of the last match of a regex
 * over a log file it writes (files relative to the checkout). `field` is a dotted path, default the metric's name.
 * The loop's `metric.from` of a goal maps onto these: `{json, field}` is `json-file`, `{log, regex}` is `log-file`.
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
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(join(output.cwd, source.path), 'utf8'));
      } catch (error) {
        throw new Error(`cannot read the metric file ${source.path}: ${(error as Error).message}`);
      }
      const value = fieldOf(parsed, field);
      if (value === undefined) throw new Error(`${source.path} has no "${field}" field`);
      return asNumber(value, `"${field}" in ${source.path}`);
    }
    case 'log-file': {
      let log: string;
      try {
        log = readFileSync(join(output.cwd, source.path), 'utf8');
      } catch (error) {
        throw new Error(`cannot read the log ${source.path}: ${(error as Error).message}`);
      }
      const matches = [...log.matchAll(new RegExp(source.pattern, 'gm'))].filter((match) => match[1] !== undefined);
      const last = matches.at(-1);
      if (!last) throw new Error(`no line of ${source.path} matches /${source.pattern}/ with a capture group`);
      return asNumber(last[1], `the last capture of /${source.pattern}/ in ${source.path}`);
    }
    case 'regex': {
      const match = new RegExp(source.pattern, 'm').exec(`${output.stdout}\n${output.stderr}`);
      if (!match?.[1]) throw new Error(`the output does not match /${source.pattern}/ (or it has no capture group)`);
      return asNumber(match[1], `the capture of /${source.pattern}/`);
    }
  }
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

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { probeSandbox } from '../supervisor/sandbox/sandbox-probe.js';
import { captureChild } from '../supervisor/spawn-child.js';
import type { MetricDirection } from './claim.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { readMetric } from '../metrics/metric-reader.js';
import type { MetricSource } from '../metrics/metric-source.js';

/** How a node measures a checkout: the same spec measures its own experiments and the breakthroughs it verifies. */
export interface EvaluationSpec {
  /** argv, run without a shell in the checkout; `{seed}` in an argument becomes the seed, also in $MUX_SWARM_SEED. */
  command: string[];
  /** The evaluation script, relative to the repository root: its sha256 is a claim's `eval_script_hash`. */
  script: string;
  metric: { name: string; direction: MetricDirection };
  /** Default: the last JSON line on stdout, field `metric.name`. */
  source?: MetricSource;
  /** Per seed; default 10 minutes. */
  timeoutMs?: number;
}

export interface Measurement {
  name: string;
  direction: MetricDirection;
  seeds: number[];
  values: number[];
  /** The mean over the seeds: what is compared. */
  mean: number;
}

/** sha256 (hex) of the evaluation script as it is in `root`. */
export function evalScriptHash(root: string, script: string): string {
  const path = isAbsolute(script) ? script : join(root, script);
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (error) {
    throw new PgHubError(
      'evaluation_script_missing',
      `cannot read the evaluation script ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** Runs the evaluation once per seed, in order; throws `evaluation_failed` naming the seed when one run fails. */
export async function measure(root: string, spec: EvaluationSpec, seeds: readonly number[]): Promise<Measurement> {
  if (seeds.length === 0) throw new PgHubError('evaluation_failed', 'no seeds to evaluate with');
  const values: number[] = [];
  for (const seed of seeds) {
    const output = await runOnce(root, spec, seed);
    try {
      values.push(
        await evaluationMetric(spec.source ?? { kind: 'stdout-json' }, spec.metric.name, { ...output, cwd: root }),
      );
    } catch (error) {
      throw new PgHubError('evaluation_failed', `evaluation with seed ${seed}: ${(error as Error).message}`);
    }
  }
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { name: spec.metric.name, direction: spec.metric.direction, seeds: [...seeds], values, mean };
}

/** The metric one evaluation run left in the checkout `cwd` or printed; throws, in words, when there is none. */
export async function evaluationMetric(
  source: MetricSource,
  metricName: string,
  output: { stdout: string; stderr: string; cwd: string },
): Promise<number> {
  const reading = await readMetric(source, {
    metricName,
    output,
    locate: async (path) =>
      existsSync(join(output.cwd, path))
        ? { realPath: join(output.cwd, path) }
        : { problem: `cannot read ${path}: it does not exist` },
  });
  if ('problem' in reading) throw new Error(reading.problem);
  return reading.value;
}

/** True when `candidate` is better than `best` by more than `margin` in the metric's direction. */
export function beats(candidate: number, best: number, margin: number, direction: MetricDirection): boolean {
  return direction === 'lower' ? candidate < best - margin : candidate > best + margin;
}

const OUTPUT_LIMIT = 1024 * 1024;

/**
 * One evaluation of another node's change, always confined, whatever config.json says: the scratch worktree
 * writable, no network, no view of $HOME or other processes, and an environment of PATH, LANG and the seed only —
 * no key, no hub URL. Where the sandbox cannot be used the evaluation is refused, with the reason.
 */
async function runOnce(root: string, spec: EvaluationSpec, seed: number): Promise<{ stdout: string; stderr: string }> {
  const [program, ...args] = spec.command.map((part) => part.replaceAll('{seed}', String(seed)));
  if (!program) throw new PgHubError('evaluation_failed', 'the evaluation command is empty');
  const timeoutMs = spec.timeoutMs ?? 600_000;
  const availability = await probeSandbox();
  if (!availability.usable) {
    throw new PgHubError(
      'evaluation_failed',
      `another node's change is only evaluated in the sandbox (no network, no secrets), which cannot be used here: ${availability.reason}`,
    );
  }
  const home = process.env.HOME ?? homedir();
  const outcome = await captureChild(
    {
      file: program,
      args,
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: process.env.LANG ?? 'C.UTF-8',
        HOME: home,
        MUX_SWARM_SEED: String(seed),
      },
      sandbox: { writable: [root], readOnly: [], hidden: home === '/' ? [] : [home], network: 'none' },
    },
    { timeoutMs, maxOutputBytes: OUTPUT_LIMIT },
  );
  if (outcome.spawnError !== undefined)
    throw new PgHubError('evaluation_failed', `cannot run the evaluation ${program}: ${outcome.spawnError.message}`);
  if (outcome.code === 0) return { stdout: outcome.stdout, stderr: outcome.stderr };
  const why = outcome.timedOut
    ? `was killed (SIGKILL; timeout ${timeoutMs} ms)`
    : outcome.signal
      ? `was killed (${outcome.signal})`
      : `exited ${outcome.code}`;
  throw new PgHubError(
    'evaluation_failed',
    `evaluation with seed ${seed} ${why}: ${outcome.stderr.trim().split('\n').slice(-3).join(' ')}`,
  );
}

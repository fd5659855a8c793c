import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { MetricDirection } from './claim.js';
import { HubError } from './hub-error.js';
import { readMetric, type MetricSource } from './metric-reader.js';

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
    throw new HubError('evaluation_script_missing', `cannot read the evaluation script ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Runs the evaluation once per seed, in order; throws `evaluation_failed` naming the seed when one run fails. */
export async function measure(root: string, spec: EvaluationSpec, seeds: readonly number[]): Promise<Measurement> {
  if (seeds.length === 0) throw new HubError('evaluation_failed', 'no seeds to evaluate with');
  const values: number[] = [];
  for (const seed of seeds) {
    const output = await runOnce(root, spec, seed);
    try {
      values.push(readMetric(spec.source ?? { kind: 'stdout-json' }, spec.metric.name, { ...output, cwd: root }));
    } catch (error) {
      throw new HubError('evaluation_failed', `evaluation with seed ${seed}: ${(error as Error).message}`);
    }
  }
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { name: spec.metric.name, direction: spec.metric.direction, seeds: [...seeds], values, mean };
}

/** True when `candidate` is better than `best` by more than `margin` in the metric's direction. */
export function beats(candidate: number, best: number, margin: number, direction: MetricDirection): boolean {
  return direction === 'lower' ? candidate < best - margin : candidate > best + margin;
}

const OUTPUT_LIMIT = 1024 * 1024;

function runOnce(root: string, spec: EvaluationSpec, seed: number): Promise<{ stdout: string; stderr: string }> {
  const [program, ...args] = spec.command.map((part) => part.replaceAll('{seed}', String(seed)));
  if (!program) throw new HubError('evaluation_failed', 'the evaluation command is empty');
  const timeoutMs = spec.timeoutMs ?? 600_000;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: root, env: { ...process.env, MUX_SWARM_SEED: String(seed) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-OUTPUT_LIMIT)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-OUTPUT_LIMIT)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the whole group: an evaluation may start children
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new HubError('evaluation_failed', `cannot run the evaluation ${program}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `; timeout ${timeoutMs} ms` : ''})` : `exited ${code}`;
      reject(new HubError('evaluation_failed', `evaluation with seed ${seed} ${why}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

import { z } from 'zod';
import { durationSchema } from '../text/duration.js';
import { parseFieldPath, type FieldPathSegment } from './goal-phases-field-path.js';

/** Where the goal says the metric is read after each experiment: a JSON file's field, or the last match of a regex over a log (the file kinds of the one metric vocabulary, src/metrics/). */
export type GoalMetricSource =
  | { kind: 'json'; path: string; field: string; fieldPath: FieldPathSegment[] }
  | { kind: 'log'; path: string; regex: string };

const SOURCE_SHAPES =
  'write `from: { json: "results/metrics.json", field: "eval.loss" }` or `from: { log: "train.log", regex: "loss=([0-9.eE+-]+)" }`';

/** A workdir path as the goal names it: relative, inside the workdir, never the state directory. */
const workdirPathSchema = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !path.split(/[\\/]/).includes('..'), {
    error: 'must be a path relative to the workdir, without ".."',
  });

const metricSourceSchema = z
  .strictObject({
    json: workdirPathSchema.optional(),
    field: z.string().min(1).optional(),
    log: workdirPathSchema.optional(),
    regex: z.string().min(1).optional(),
  })
  .transform((source, context): GoalMetricSource => {
    const problem = (message: string, path: string[] = []): typeof z.NEVER => {
      context.addIssue({ code: 'custom', message, path });
      return z.NEVER;
    };
    if (source.json !== undefined && source.log !== undefined)
      return problem(`give either json or log, not both; ${SOURCE_SHAPES}`);
    if (source.json !== undefined) {
      if (source.regex !== undefined) return problem('regex goes with log, not json', ['regex']);
      if (source.field === undefined)
        return problem('required with json: the field that holds the metric, e.g. "eval.loss"', ['field']);
      const parsed = parseFieldPath(source.field);
      if ('problem' in parsed) return problem(parsed.problem, ['field']);
      return { kind: 'json', path: source.json, field: source.field, fieldPath: parsed.segments };
    }
    if (source.log !== undefined) {
      if (source.field !== undefined) return problem('field goes with json, not log', ['field']);
      if (source.regex === undefined)
        return problem('required with log: a regular expression whose first group captures the metric', ['regex']);
      let compiled: RegExp;
      try {
        compiled = new RegExp(source.regex);
      } catch (error) {
        return problem(`not a valid regular expression: ${(error as Error).message}`, ['regex']);
      }
      if (new RegExp(`${compiled.source}|`).exec('')!.length < 2)
        return problem('needs a capturing group around the number, e.g. "loss=([0-9.eE+-]+)"', ['regex']);
      return { kind: 'log', path: source.log, regex: source.regex };
    }
    return problem(`says nowhere to read the metric; ${SOURCE_SHAPES}`);
  });

export const loopMetricSchema = z.strictObject({
  /** How the metric is called in the history, the prompt and the chart, e.g. "val_loss". */
  name: z.string().min(1),
  direction: z.enum(['lower', 'higher']),
  from: metricSourceSchema,
});
export type LoopMetric = z.infer<typeof loopMetricSchema>;

/** The `loop:` front matter: run the goal as a self-improvement loop of experiments judged by one metric. */
export const goalLoopSchema = z.strictObject({
  /** Experiments to run at most (the baseline not counted). */
  maxIterations: z.number().int().min(1).optional(),
  stop: z
    .strictObject({
      /** Stop once the best metric reaches this value (≤ for lower-is-better, ≥ for higher). */
      metric: z.number().optional(),
      /** Stop after this many experiments in a row that were not kept. */
      noImprovementFor: z.number().int().min(1).optional(),
      /** Stop once the iterations have cost this much (USD of their model calls). */
      budgetUsd: z.number().positive().optional(),
      /** Stop once the loop has worked this long: seconds, or "45m", "6h". */
      time: durationSchema.optional(),
    })
    .optional(),
  metric: loopMetricSchema,
  /** Runs the experiment and writes the metric (`/bin/sh -c`, in the workdir); absent: the agents run it themselves. */
  command: z.string().min(1).optional(),
  /** Time limit of one run of `command`. */
  commandTimeout: durationSchema.default(3_600_000),
  /** Environment variables passed to `command` besides PATH, HOME and the like (e.g. CUDA_VISIBLE_DEVICES). */
  passEnv: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }))
    .default([]),
  /** How often the unchanged workdir is measured before the first experiment: the spread is the noise. */
  baselineRepeats: z.number().int().min(1).max(100).default(3),
  /** How much better than the best a result must be to be kept; default: the measured noise (max − min of the baseline). */
  margin: z.number().min(0).optional(),
  /** Git pathspecs (glob magic: `*`, `**`, `?`) of what an experiment may change; a change elsewhere discards it. */
  paths: z.array(workdirPathSchema).min(1).optional(),
});
export type GoalLoop = z.infer<typeof goalLoopSchema>;

/**
 * How many times the unchanged workdir is measured, and with how many seeds a peer re-measures a claim:
 * `baselineRepeats`, or once without a `command` (reading the same file again gives the same value).
 */
export function measurementRepeats(loop: GoalLoop): number {
  return loop.command === undefined ? 1 : loop.baselineRepeats;
}

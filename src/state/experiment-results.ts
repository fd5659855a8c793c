import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';

/**
 * The results log of an experiment loop: `<run directory>/results.jsonl`, one JSON object a line, appended and
 * fsynced, never rewritten. It is the truth about which iterations finished: a resumed loop goes on after its
 * last line. Lines carry `schemaVersion` and are read through zod.
 */

export const RESULTS_FILE = 'results.jsonl';

const version = { schemaVersion: z.literal(1) };
const timing = { durationMs: z.number().nonnegative(), startedAt: z.string(), endedAt: z.string() };

/** The first line: what the loop measures and how it judges. */
const loopStartSchema = z.object({
  ...version,
  kind: z.literal('loop'),
  metric: z.object({ name: z.string(), direction: z.enum(['lower', 'higher']) }),
  baselineRepeats: z.number().int().positive(),
  /** The margin the goal fixed; null: the measured noise. */
  margin: z.number().nonnegative().nullable(),
  command: z.string().nullable(),
  /** HEAD before any experiment: the baseline. */
  baseCommit: z.string(),
  startedAt: z.string(),
});

/** One measurement of the unchanged workdir (iteration 0). */
const baselineSchema = z.object({
  ...version,
  kind: z.literal('baseline'),
  iteration: z.literal(0),
  repeat: z.number().int().positive(),
  commit: z.string(),
  metric: z.number().nullable(),
  /** Why the metric could not be read, when it could not. */
  problem: z.string().optional(),
  ...timing,
});

/** One experiment: its commit, its metric and whether it was kept. */
const experimentSchema = z.object({
  ...version,
  kind: z.literal('experiment'),
  iteration: z.number().int().positive(),
  /** The experiment's commit; null when it changed nothing. */
  commit: z.string().nullable(),
  metric: z.number().nullable(),
  decision: z.enum(['kept', 'discarded']),
  reason: z.string(),
  hypothesis: z.string(),
  /** USD of the iteration's model calls (its delegations), across restarts. */
  costUsd: z.number().nonnegative(),
  ...timing,
});

export const resultsLineSchema = z.discriminatedUnion('kind', [loopStartSchema, baselineSchema, experimentSchema]);
export type ResultsLine = z.infer<typeof resultsLineSchema>;
export type LoopStartLine = z.infer<typeof loopStartSchema>;
export type BaselineLine = z.infer<typeof baselineSchema>;
export type ExperimentLine = z.infer<typeof experimentSchema>;
/** A line as a writer hands it over: the version is filled in. */
export type NewResultsLine = ResultsLine extends infer Line
  ? Line extends ResultsLine
    ? Omit<Line, 'schemaVersion'>
    : never
  : never;

/** The lines of a results log, in order. */
export interface ExperimentResults {
  start: LoopStartLine | undefined;
  baselines: BaselineLine[];
  experiments: ExperimentLine[];
  /** A last line cut off by a crash (no newline, not JSON): not counted, cut away by the next append. */
  tornTail: boolean;
}

export function resultsLogPath(runDirectory: string): string {
  return join(runDirectory, RESULTS_FILE);
}

/** Reads a results log (an absent file is an empty log). A line that is whole but unreadable is an error naming it. */
export function readExperimentResults(path: string): ExperimentResults {
  const results: ExperimentResults = { start: undefined, baselines: [], experiments: [], tornTail: false };
  if (!existsSync(path)) return results;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  if (last.trim() !== '') results.tornTail = true;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = resultsLineSchema.safeParse(parseJson(line));
    if (!parsed.success) {
      const problem = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(line)'}: ${issue.message}`)
        .join('; ');
      throw new MuxSwarmError(
        'results_unreadable',
        `${path} line ${index + 1} is not a results line this mux-swarm reads (${problem}); move the file away to start the loop's log afresh`,
      );
    }
    const entry = parsed.data;
    if (entry.kind === 'loop') results.start ??= entry;
    else if (entry.kind === 'baseline') results.baselines.push(entry);
    else results.experiments.push(entry);
  });
  return results;
}

/**
 * Appends one line and fsyncs it before returning: once this returns, the line survives a crash. A torn last
 * line left by an earlier crash is cut away first, so it cannot glue onto the new one.
 */
export function appendExperimentResult(path: string, line: NewResultsLine): void {
  const descriptor = openSync(path, 'a+');
  try {
    cutTornTail(descriptor);
    writeSync(descriptor, `${JSON.stringify({ schemaVersion: 1, ...line })}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Truncates the file after its last newline when it does not end with one (a results log is small: read whole). */
function cutTornTail(descriptor: number): void {
  const size = fstatSync(descriptor).size;
  if (size === 0) return;
  const buffer = Buffer.alloc(size);
  readSync(descriptor, buffer, 0, size, 0);
  if (buffer[size - 1] === 0x0a) return;
  ftruncateSync(descriptor, buffer.lastIndexOf(0x0a) + 1);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { parseJson } from './report-data.js';

/** The format an evaluation script writes (base model vs fine-tuned specialist, scored by judge models). */
export const EVALUATION_FORMAT = 'mux-swarm-evaluation/1';
export const EVALUATION_FILE_NAME = 'evaluation.json';
/** How deep below the workdir, and how large, an evaluation file found by scanning may be. */
export const EVALUATION_SCAN_DEPTH = 6;
export const EVALUATION_MAX_BYTES = 5 * 1024 * 1024;
/** Directories never scanned: they hold other people's files, or mux-swarm's own state. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', '.mux-swarm']);

/** A mean score or a difference; null where no judgement came back (the evaluation script writes "n/a"). */
const score = z.number().finite().nullable();
export const evaluationSchema = z.object({
  format: z.literal(EVALUATION_FORMAT),
  created_at: z.string(),
  base: z.object({ model: z.string() }),
  specialist: z.object({ model: z.string() }),
  judges: z.array(z.string()),
  prompts: z.array(
    z.object({
      id: z.string(),
      topic: z.string(),
      base_score: score,
      specialist_score: score,
      delta: score,
      scores: z.record(z.string(), z.unknown()).optional(),
      missing_judgements: z.number().int().nonnegative().optional(),
    }),
  ),
  aggregate: z.object({
    base: score,
    specialist: score,
    delta: score,
    relative_delta: score,
    prompts: z.number().int().nonnegative(),
    specialist_wins: z.number().int().nonnegative(),
    base_wins: z.number().int().nonnegative(),
    ties: z.number().int().nonnegative(),
    missing_judgements: z.number().int().nonnegative(),
  }),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

export interface EvaluationSection {
  /** Paths relative to the workdir when inside it, else absolute. */
  evaluations: Array<{ path: string; evaluation: Evaluation }>;
  skipped: Array<{ path: string; reason: string }>;
}

/** `evaluation.json` files under `workdir` (sorted), at most EVALUATION_SCAN_DEPTH directories down, skipping `skip` and SKIPPED_DIRECTORIES. */
export function findEvaluationFiles(workdir: string, skip: readonly string[] = []): string[] {
  const skipped = new Set(skip.map((path) => resolve(path)));
  const found: string[] = [];
  const visit = (directory: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return; // unreadable: not ours to report on
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (
        entry.isDirectory() &&
        depth < EVALUATION_SCAN_DEPTH &&
        !SKIPPED_DIRECTORIES.has(entry.name) &&
        !skipped.has(path)
      )
        visit(path, depth + 1);
      else if (entry.isFile() && entry.name === EVALUATION_FILE_NAME) found.push(path);
    }
  };
  visit(resolve(workdir), 0);
  return found.sort();
}

/** Reads and checks each file; one that is too large, not JSON or not in EVALUATION_FORMAT is listed as skipped, with why. */
export function loadEvaluations(paths: readonly string[], workdir: string): EvaluationSection {
  const section: EvaluationSection = { evaluations: [], skipped: [] };
  for (const path of paths) {
    const checked = readEvaluation(path);
    if (typeof checked === 'string') section.skipped.push({ path: displayPath(path, workdir), reason: checked });
    else section.evaluations.push({ path: displayPath(path, workdir), evaluation: checked });
  }
  return section;
}

/** The file's evaluation, or why it is not one. */
function readEvaluation(path: string): Evaluation | string {
  let text: string;
  try {
    const bytes = statSync(path).size;
    if (bytes > EVALUATION_MAX_BYTES) return `larger than ${EVALUATION_MAX_BYTES / 1024 / 1024} MB`;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `cannot be read: ${(error as Error).message}`;
  }
  const json = parseJson(text);
  if (json === undefined) return 'not valid JSON';
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== EVALUATION_FORMAT)
    return format === undefined
      ? `it has no "format" (expected "${EVALUATION_FORMAT}")`
      : `its format is ${JSON.stringify(format)}, not "${EVALUATION_FORMAT}"`;
  const parsed = evaluationSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
    .join('; ');
}

function displayPath(path: string, workdir: string): string {
  const inside = relative(resolve(workdir), resolve(path));
  return inside && !inside.startsWith('..') ? inside : resolve(path);
}

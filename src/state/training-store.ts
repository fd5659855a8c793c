import { z } from 'zod';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from './database.js';

/** A training job as the state database keeps it (migration 4). */
export interface TrainingJobRow {
  run_id: string;
  job_id: string;
  name: string | null;
  command: string;
  cwd: string;
  log_file: string;
  started_at: string;
  ended_at: string | null;
  state: string;
  classification: string | null;
  outcome_json: string | null;
  exit_code: number | null;
  signal: string | null;
  last_step: number | null;
  total_steps: number | null;
  last_progress_at: string | null;
  log_cursor: number;
  gpu_hourly_usd: number;
}

/** One progress line of a trainer, keyed by its byte offset in the job's log. */
export interface TrainingMetricRow {
  log_offset: number;
  event: string;
  step: number | null;
  data: Record<string, unknown>;
  at: string;
}

/**
 * The rows as `SELECT *` gives them; columns beyond those named (a later migration's) are kept, as every column
 * always was.
 */
const trainingJobRowSchema: z.ZodType<TrainingJobRow> = z.looseObject({
  run_id: z.string(),
  job_id: z.string(),
  name: z.string().nullable(),
  command: z.string(),
  cwd: z.string(),
  log_file: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  state: z.string(),
  classification: z.string().nullable(),
  outcome_json: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  last_step: z.number().nullable(),
  total_steps: z.number().nullable(),
  last_progress_at: z.string().nullable(),
  log_cursor: z.number(),
  gpu_hourly_usd: z.number(),
});
const storedMetricRowSchema = z.looseObject({
  log_offset: z.number(),
  event: z.string(),
  step: z.number().nullable(),
  data_json: z.string(),
  at: z.string(),
});

/** A `log` or `eval` line of one of a run's jobs, its data as stored JSON. */
const metricLineSchema = z.object({
  job_id: z.string(),
  event: z.string(),
  step: z.number().nullable(),
  data_json: z.string(),
});
export type TrainingMetricLine = z.infer<typeof metricLineSchema>;

export interface NewTrainingJob {
  runId: string;
  jobId: string;
  name?: string;
  command: string;
  cwd: string;
  logFile: string;
  startedAt: string;
  gpuHourlyUsd: number;
}

export interface TrainingProgressUpdate {
  logCursor: number;
  lastStep?: number;
  totalSteps?: number;
  lastProgressAt?: string;
}

export interface TrainingJobEnd {
  endedAt: string;
  state: string;
  classification: string;
  outcome: unknown;
  exitCode: number | null;
  signal: string | null;
}

/**
 * The training jobs and their progress lines in the state database. Jobs started outside a run (`mcp serve
 * training`) are kept under run id ''. Metric rows are inserted with their log offset as key, so reading a log
 * again after a restart stores nothing twice. With a scrubber, what comes from the job (its command, progress lines,
 * the outcome with its log excerpts) is stored with the process's secrets replaced.
 */
export class TrainingStore {
  constructor(
    readonly database: SqliteDatabase,
    private readonly scrubber?: SecretScrubber,
  ) {}

  private clean(text: string): string {
    return this.scrubber === undefined ? text : this.scrubber.text(text);
  }

  /** Records a started job; a job already recorded (re-attached after a restart) is left as it is. */
  recordStart(job: NewTrainingJob): void {
    this.database
      .prepare(
        `INSERT OR IGNORE INTO training_jobs (run_id, job_id, name, command, cwd, log_file, started_at, gpu_hourly_usd)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.runId,
        job.jobId,
        job.name === undefined ? null : this.clean(job.name),
        this.clean(job.command),
        job.cwd,
        job.logFile,
        job.startedAt,
        job.gpuHourlyUsd,
      );
  }

  job(runId: string, jobId: string): TrainingJobRow | undefined {
    const row = this.database.prepare('SELECT * FROM training_jobs WHERE run_id = ? AND job_id = ?').get(runId, jobId);
    return row === undefined ? undefined : trainingJobRowSchema.parse(row);
  }

  jobs(runId: string): TrainingJobRow[] {
    return this.database
      .prepare('SELECT * FROM training_jobs WHERE run_id = ? ORDER BY started_at, job_id')
      .all(runId)
      .map((row) => trainingJobRowSchema.parse(row));
  }

  /** Stores the progress lines read from the log and how far it was read, in one transaction. */
  recordProgress(
    runId: string,
    jobId: string,
    metrics: readonly TrainingMetricRow[],
    update: TrainingProgressUpdate,
  ): void {
    const insert = this.database.prepare(
      'INSERT OR IGNORE INTO training_metrics (run_id, job_id, log_offset, event, step, data_json, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const progress = this.database.prepare(
      `UPDATE training_jobs SET log_cursor = ?, last_step = coalesce(?, last_step), total_steps = coalesce(?, total_steps),
              last_progress_at = coalesce(?, last_progress_at)
        WHERE run_id = ? AND job_id = ?`,
    );
    this.database.transaction(() => {
      for (const metric of metrics) {
        insert.run(
          runId,
          jobId,
          metric.log_offset,
          metric.event,
          metric.step,
          this.clean(JSON.stringify(metric.data)),
          metric.at,
        );
      }
      progress.run(
        update.logCursor,
        update.lastStep ?? null,
        update.totalSteps ?? null,
        update.lastProgressAt ?? null,
        runId,
        jobId,
      );
    })();
  }

  recordEnd(runId: string, jobId: string, end: TrainingJobEnd): void {
    this.database
      .prepare(
        `UPDATE training_jobs SET ended_at = ?, state = ?, classification = ?, outcome_json = ?, exit_code = ?, signal = ?
          WHERE run_id = ? AND job_id = ?`,
      )
      .run(
        end.endedAt,
        end.state,
        end.classification,
        this.clean(JSON.stringify(end.outcome)),
        end.exitCode,
        end.signal,
        runId,
        jobId,
      );
  }

  /** The job's progress lines in log order; only those of `event` when given. */
  metrics(runId: string, jobId: string, event?: string): TrainingMetricRow[] {
    const rows =
      event === undefined
        ? this.database
            .prepare('SELECT * FROM training_metrics WHERE run_id = ? AND job_id = ? ORDER BY log_offset')
            .all(runId, jobId)
        : this.database
            .prepare('SELECT * FROM training_metrics WHERE run_id = ? AND job_id = ? AND event = ? ORDER BY log_offset')
            .all(runId, jobId, event);
    return rows.map(toMetricRow);
  }

  /** Progress lines that start at or after byte `from` of the log. */
  metricsFrom(runId: string, jobId: string, from: number, limit: number): TrainingMetricRow[] {
    return this.database
      .prepare(
        'SELECT * FROM training_metrics WHERE run_id = ? AND job_id = ? AND log_offset >= ? ORDER BY log_offset LIMIT ?',
      )
      .all(runId, jobId, from, limit)
      .map(toMetricRow);
  }

  /** The `log` and `eval` lines of every job of the run, by job and step. */
  runMetricLines(runId: string): TrainingMetricLine[] {
    return this.database
      .prepare(
        `SELECT job_id, event, step, data_json FROM training_metrics WHERE run_id = ? AND event IN ('log', 'eval') ORDER BY job_id, step, log_offset`,
      )
      .all(runId)
      .map((row) => metricLineSchema.parse(row));
  }
}

function toMetricRow(stored: unknown): TrainingMetricRow {
  const { data_json: json, ...row } = storedMetricRowSchema.parse(stored);
  return { ...row, data: JSON.parse(json) as Record<string, unknown> };
}

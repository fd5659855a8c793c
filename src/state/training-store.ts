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
    return this.database.prepare('SELECT * FROM training_jobs WHERE run_id = ? AND job_id = ?').get(runId, jobId) as
      TrainingJobRow | undefined;
  }

  jobs(runId: string): TrainingJobRow[] {
    return this.database
      .prepare('SELECT * FROM training_jobs WHERE run_id = ? ORDER BY started_at, job_id')
      .all(runId) as TrainingJobRow[];
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
    const rows = (
      event === undefined
        ? this.database
            .prepare('SELECT * FROM training_metrics WHERE run_id = ? AND job_id = ? ORDER BY log_offset')
            .all(runId, jobId)
        : this.database
            .prepare('SELECT * FROM training_metrics WHERE run_id = ? AND job_id = ? AND event = ? ORDER BY log_offset')
            .all(runId, jobId, event)
    ) as Array<Omit<TrainingMetricRow, 'data'> & { data_json: string }>;
    return rows.map(({ data_json: json, ...row }) => ({ ...row, data: JSON.parse(json) as Record<string, unknown> }));
  }

  /** Progress lines that start at or after byte `from` of the log. */
  metricsFrom(runId: string, jobId: string, from: number, limit: number): TrainingMetricRow[] {
    const rows = this.database
      .prepare(
        'SELECT * FROM training_metrics WHERE run_id = ? AND job_id = ? AND log_offset >= ? ORDER BY log_offset LIMIT ?',
      )
      .all(runId, jobId, from, limit) as Array<Omit<TrainingMetricRow, 'data'> & { data_json: string }>;
    return rows.map(({ data_json: json, ...row }) => ({ ...row, data: JSON.parse(json) as Record<string, unknown> }));
  }
}

import type { RunEventInput } from '../../events/event-schema.js';
import { RUNTIME_AGENT } from '../../events/event-schema.js';
import type { TrainingMetricRow, TrainingStore } from '../../state/training-store.js';
import type { Job } from '../jobs/job.js';
import { PYTHON_TRACEBACK_TAIL_CHARACTERS } from '../../failures/python-traceback/python-traceback.js';
import { LogLineReader } from './log-line-reader.js';
import { parseProgressLine, type ProgressRecord } from './progress-line.js';
import { classifyTrainingEnd, type TrainingOutcome } from './training-classification.js';

/** How often a running job is looked at when its log does not grow: the stall clock's resolution. */
const IDLE_CHECK_MS = 1_000;
/** Protocol events sent as a training-progress event at once, not throttled. */
const IMMEDIATE_EVENTS = new Set(['start', 'eval', 'checkpoint', 'stopping', 'stopped', 'done']);

export interface TrainingMonitorOptions {
  store: TrainingStore;
  runId: string;
  /** Where training-* events go (the run's event bus); absent outside a run. */
  emit?: (event: RunEventInput) => void;
  stallTimeoutMs: number;
  stopGraceMs: number;
  progressEventIntervalMs: number;
  gpuHourlyUsd: number;
  /** The job's working directory (a re-attached job's recorded one wins). */
  cwd: string;
}

/** What wait returns on. */
export type ProgressWaitOutcome = 'progress' | 'ended' | 'timeout' | 'cancelled';

/** A job's ended outcome, with what the monitor saw of it. */
export interface TrainingEnd extends TrainingOutcome {
  endedAt: string;
  gpuCostUsd: number;
  lastStep: number | null;
  checkpoint?: string;
}

/**
 * Follows one training job: reads the progress lines its trainer prints (docs/training-protocol.md) from its log
 * as they are written, stores them, sends throttled training-progress events, stops the job when it stalls, and
 * when it ends classifies how and sends training-end. A monitor created for a job re-attached after a restart
 * reads the log on from where the last one stopped (the cursor is in the state database).
 */
export class TrainingMonitor {
  readonly job: Job;
  /** The job's working directory (as recorded when it started, for a re-attached job). */
  readonly cwd: string;
  readonly #options: TrainingMonitorOptions;
  readonly #reader: LogLineReader;
  readonly #latest: Record<string, number> = {};
  readonly #waiters = new Set<() => void>();
  #lastStep: number | null;
  #totalSteps: number | null;
  #lastProgressAt: number;
  #lastProgressOffset = -1;
  #sawDone = false;
  #lastCheckpoint: { step: number | null; path: string; offset: number } | undefined;
  #stopOffset: number | undefined;
  #stalledAfterMs: number | undefined;
  #lastEventAt = 0;
  #pendingEvent: ProgressRecord | undefined;
  #end: TrainingEnd | undefined;
  #detached = false;
  /** Resolves once the job has ended and its outcome is recorded. */
  readonly finished: Promise<TrainingEnd>;

  constructor(job: Job, options: TrainingMonitorOptions) {
    this.job = job;
    this.#options = options;
    const { store, runId } = options;
    store.recordStart({
      runId,
      jobId: job.id,
      ...(job.name === undefined ? {} : { name: job.name }),
      command: job.commandText,
      cwd: options.cwd,
      logFile: job.log.file,
      startedAt: job.startedAt.toISOString(),
      gpuHourlyUsd: options.gpuHourlyUsd,
    });
    const row = store.job(runId, job.id)!;
    this.cwd = row.cwd;
    this.#reader = new LogLineReader(job.log.file, row.log_cursor);
    this.#lastStep = row.last_step;
    this.#totalSteps = row.total_steps;
    for (const metric of store.metrics(runId, job.id))
      this.#remember(metric.log_offset, metric.event, metric.step, metric.data);
    // After a restart the stall clock starts again: the time mux-swarm was down is not held against the job.
    this.#lastProgressAt = Date.now();
    if (row.classification !== null) {
      this.#end = restoreEnd(row.classification, row.outcome_json, row.ended_at);
      this.finished = Promise.resolve(this.#end);
      return;
    }
    if (job.running) this.#emitStart();
    this.finished = this.#follow();
  }

  get runId(): string {
    return this.#options.runId;
  }

  get end(): TrainingEnd | undefined {
    return this.#end;
  }

  get lastStep(): number | null {
    return this.#lastStep;
  }

  get totalSteps(): number | null {
    return this.#totalSteps;
  }

  /** The latest value of every numeric metric reported. */
  get latestMetrics(): Record<string, number> {
    return { ...this.#latest };
  }

  get lastCheckpoint(): { step: number | null; path: string } | undefined {
    return this.#lastCheckpoint === undefined
      ? undefined
      : { step: this.#lastCheckpoint.step, path: this.#lastCheckpoint.path };
  }

  /** Milliseconds since the last progress line (or since the job or this monitor started). */
  msSinceProgress(): number {
    return Date.now() - this.#lastProgressAt;
  }

  /** Progress lines stored from byte `from` of the log on. */
  metricsFrom(from: number, limit: number): TrainingMetricRow[] {
    return this.#options.store.metricsFrom(this.#options.runId, this.job.id, from, limit);
  }

  /** Byte offset up to which the log has been read. */
  get readCursor(): number {
    return this.#reader.cursor;
  }

  /** Resolves when a progress line at or after `from` is stored, the job ended, `timeoutMs` passed or `signal` aborted. */
  async waitForProgress(from: number, timeoutMs: number, signal?: AbortSignal): Promise<ProgressWaitOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#end !== undefined) return 'ended';
      if (this.#lastProgressOffset >= from) return 'progress';
      if (signal?.aborted) return 'cancelled';
      const remaining = deadline - Date.now();
      if (remaining <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.#waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** SIGTERM to the job's group, SIGKILL after `graceMs`: the trainer checkpoints in between. Resolves with the outcome. */
  async stop(graceMs: number): Promise<TrainingEnd> {
    this.markStopRequested();
    await this.job.kill(graceMs);
    return this.finished;
  }

  /** The job is about to be stopped by someone else (the registry at close): it ends as "stopped", not as killed. */
  markStopRequested(): void {
    if (this.job.running && this.#stopOffset === undefined) this.#stopOffset = this.job.log.size();
  }

  /** Stops following the job (it goes on running, for a mux-swarm started later to re-attach to). */
  detach(): void {
    this.#detached = true;
  }

  async #follow(): Promise<TrainingEnd> {
    while (this.job.running) {
      if (this.#detached) return new Promise<TrainingEnd>(() => {}); // never ends here: the next process records it
      this.#readAvailable(false);
      this.#flushThrottled();
      this.#checkStall();
      await this.job.waitForChange(IDLE_CHECK_MS);
    }
    await this.job.ended;
    this.#readAvailable(true);
    this.#flushThrottled(true);
    return this.#finish();
  }

  #readAvailable(final: boolean): void {
    for (;;) {
      const { lines, more } = this.#reader.readLines(final);
      const metrics: TrainingMetricRow[] = [];
      const at = new Date().toISOString();
      for (const line of lines) {
        const record = parseProgressLine(line.text);
        if (record === undefined) continue;
        metrics.push({ log_offset: line.offset, event: record.event, step: record.step, data: record.data, at });
        this.#remember(line.offset, record.event, record.step, record.data);
        this.#lastProgressAt = Date.now();
        this.#queueEvent(record);
      }
      if (lines.length > 0) {
        this.#options.store.recordProgress(this.#options.runId, this.job.id, metrics, {
          logCursor: this.#reader.cursor,
          ...(this.#lastStep === null ? {} : { lastStep: this.#lastStep }),
          ...(this.#totalSteps === null ? {} : { totalSteps: this.#totalSteps }),
          ...(metrics.length > 0 ? { lastProgressAt: at } : {}),
        });
      }
      if (metrics.length > 0) this.#wake();
      if (!more) return;
    }
  }

  #remember(offset: number, event: string, step: number | null, data: Record<string, unknown>): void {
    this.#lastProgressOffset = Math.max(this.#lastProgressOffset, offset);
    if (step !== null) this.#lastStep = step;
    for (const [key, value] of Object.entries(data)) {
      if (key !== 'step' && typeof value === 'number' && Number.isFinite(value)) this.#latest[key] = value;
    }
    if (typeof data.total_steps === 'number') this.#totalSteps = data.total_steps;
    if (event === 'done') this.#sawDone = true;
    if (event === 'checkpoint' && typeof data.path === 'string')
      this.#lastCheckpoint = { step, path: data.path, offset };
  }

  #queueEvent(record: ProgressRecord): void {
    const interval = this.#options.progressEventIntervalMs;
    if (IMMEDIATE_EVENTS.has(record.event) || Date.now() - this.#lastEventAt >= interval) {
      this.#pendingEvent = undefined;
      this.#emitProgress(record);
    } else {
      this.#pendingEvent = record;
    }
  }

  #flushThrottled(force = false): void {
    const pending = this.#pendingEvent;
    if (pending === undefined) return;
    if (!force && Date.now() - this.#lastEventAt < this.#options.progressEventIntervalMs) return;
    this.#pendingEvent = undefined;
    this.#emitProgress(pending);
  }

  #emitProgress(record: ProgressRecord): void {
    this.#lastEventAt = Date.now();
    this.#options.emit?.({
      type: 'training-progress',
      agent: RUNTIME_AGENT,
      job_id: this.job.id,
      ...(this.job.name === undefined ? {} : { name: this.job.name }),
      event: record.event,
      step: record.step ?? this.#lastStep,
      total_steps: this.#totalSteps,
      metrics: this.latestMetrics,
      ...(record.event === 'checkpoint' && typeof record.data.path === 'string'
        ? { checkpoint: record.data.path }
        : {}),
    });
  }

  #emitStart(): void {
    this.#options.emit?.({
      type: 'training-start',
      agent: RUNTIME_AGENT,
      job_id: this.job.id,
      ...(this.job.name === undefined ? {} : { name: this.job.name }),
      command: this.job.commandText,
      cwd: this.#options.cwd,
      log_file: this.job.log.file,
      reattached: this.job.reattached,
    });
  }

  #checkStall(): void {
    const timeout = this.#options.stallTimeoutMs;
    if (this.#stalledAfterMs !== undefined || this.#stopOffset !== undefined || this.msSinceProgress() < timeout)
      return;
    this.#stalledAfterMs = timeout;
    this.#stopOffset = this.job.log.size();
    void this.job.kill(this.#options.stopGraceMs);
  }

  #finish(): TrainingEnd {
    const job = this.job;
    const checkpoint = this.#lastCheckpoint;
    const outcome = classifyTrainingEnd({
      state: job.state === 'running' ? 'exited' : job.state,
      exitCode: job.exitCode,
      signal: job.signal,
      exitStatusKnown: job.exitStatusKnown,
      stopRequested: this.#stopOffset !== undefined && this.#stalledAfterMs === undefined,
      ...(this.#stalledAfterMs === undefined ? {} : { stalledAfterMs: this.#stalledAfterMs }),
      sawDone: this.#sawDone,
      ...(checkpoint === undefined
        ? {}
        : {
            lastCheckpoint: {
              step: checkpoint.step,
              path: checkpoint.path,
              afterStop: this.#stopOffset !== undefined && checkpoint.offset >= this.#stopOffset,
            },
          }),
      logTail: job.log.lastBytesText(PYTHON_TRACEBACK_TAIL_CHARACTERS),
    });
    const endedAt = (job.endedAt ?? new Date()).toISOString();
    const gpuCostUsd = (job.runtimeMs() / 3_600_000) * this.#options.gpuHourlyUsd;
    const end: TrainingEnd = {
      ...outcome,
      endedAt,
      gpuCostUsd,
      lastStep: this.#lastStep,
      ...(checkpoint === undefined ? {} : { checkpoint: checkpoint.path }),
    };
    this.#options.store.recordEnd(this.#options.runId, job.id, {
      endedAt,
      state: job.state,
      classification: outcome.classification,
      outcome: end,
      exitCode: job.exitCode,
      signal: job.signal,
    });
    this.#end = end;
    this.#options.emit?.({
      type: 'training-end',
      agent: RUNTIME_AGENT,
      job_id: job.id,
      ...(job.name === undefined ? {} : { name: job.name }),
      classification: outcome.classification,
      summary: outcome.summary,
      exit_code: job.exitCode,
      signal: job.signal,
      runtime_ms: job.runtimeMs(),
      last_step: this.#lastStep,
      ...(checkpoint === undefined ? {} : { checkpoint: checkpoint.path }),
      ...(outcome.exception === undefined ? {} : { exception: outcome.exception }),
      gpu_cost_usd: gpuCostUsd,
      log_file: job.log.file,
    });
    this.#wake();
    return end;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** The outcome recorded by an earlier mux-swarm process for a job that had ended. */
function restoreEnd(classification: string, outcomeJson: string | null, endedAt: string | null): TrainingEnd {
  const recorded = outcomeJson === null ? {} : (JSON.parse(outcomeJson) as Partial<TrainingEnd>);
  return {
    classification: classification as TrainingEnd['classification'],
    summary: recorded.summary ?? classification,
    endedAt: recorded.endedAt ?? endedAt ?? new Date(0).toISOString(),
    gpuCostUsd: recorded.gpuCostUsd ?? 0,
    lastStep: recorded.lastStep ?? null,
    ...(recorded.exception === undefined ? {} : { exception: recorded.exception }),
    ...(recorded.checkpoint === undefined ? {} : { checkpoint: recorded.checkpoint }),
  };
}

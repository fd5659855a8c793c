import { gpuTime } from '../state/gpu-time.js';
import { TrainingStore } from '../state/training-store.js';
import type { RunContext } from './run-context.js';

/** How often GPU time is counted while a training job runs (and the budget checked against it). */
const GPU_COST_INTERVAL_MS = 60_000;

/**
 * Counts the run's GPU time and cost from its training jobs in the state database (the union of their running
 * intervals, each instant priced at the configured hourly rate), at the start of a session (so a resumed run
 * carries on from its earlier jobs), whenever a training job starts or ends, once a minute while one runs, and
 * at the end. The cost is part of the run's cost and budget.
 */
export class GpuCostMeter {
  readonly #run: RunContext;
  readonly #store: TrainingStore;
  readonly #unsubscribe: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(run: RunContext) {
    this.#run = run;
    this.#store = new TrainingStore(run.store.database);
    this.#unsubscribe = run.events.subscribe((event) => {
      if (event.type === 'training-start' || event.type === 'training-end') this.update();
    });
    this.update();
  }

  /** Counts again, now. */
  update(): void {
    const jobs = this.#store.jobs(this.#run.runId);
    if (jobs.length === 0) return;
    const { seconds, costUsd } = gpuTime(
      jobs.map((job) => ({ startedAt: job.started_at, endedAt: job.ended_at, hourlyUsd: job.gpu_hourly_usd })),
      new Date(this.#run.now()),
    );
    this.#run.recordGpuTime(seconds, costUsd);
    const running = jobs.some((job) => job.ended_at === null);
    if (running && this.#timer === undefined) {
      this.#timer = setInterval(() => this.update(), GPU_COST_INTERVAL_MS);
      this.#timer.unref();
    } else if (!running && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Counts one last time and stops. */
  close(): void {
    this.update();
    clearInterval(this.#timer);
    this.#unsubscribe();
  }
}

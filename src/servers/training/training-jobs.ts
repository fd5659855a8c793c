import type { SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import type { TrainingOptions } from '../../config/config-schema.js';
import type { RunEventInput } from '../../events/event-schema.js';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import type { TrainingStore } from '../../state/training-store.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { resolveWorkingDirectory } from '../shell/working-directory.js';
import { TrainingMonitor, type TrainingMonitorOptions } from './training-monitor.js';

export interface TrainingJobsOptions extends TrainingOptions {
  workdir: string;
  /** The sandbox trainers run in (docs/sandbox.md); undefined: unconfined. */
  confinement?: SandboxRequest;
  /** Where logs, exit files and job records go: `<run directory>/training`. */
  jobDirectory: string;
  store: TrainingStore;
  /** The run the jobs belong to ('' outside a run). */
  runId: string;
  emit?: (event: RunEventInput) => void;
  /** The environment every trainer gets (minimal set, passEnv, options.env); a job's own env is added. */
  environment: Record<string, string>;
  /**
   * Asked when the server closes: true when the run stops to be resumed (a provider outage), so running jobs are left
   * running, whatever onExit says, for the resume to re-attach to: the GPU work does not depend on the model provider.
   */
  stoppingToResume?: () => boolean;
}

export interface TrainingStartRequest {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  name?: string;
  stall_timeout_ms?: number;
  time_limit_ms?: number;
}

/**
 * The training jobs of one training server: detached jobs (the shared job model: own session and process group,
 * output to a log file, a record to re-attach by) each followed by a TrainingMonitor. Jobs left running by a
 * mux-swarm process that died are re-attached at creation.
 */
export class TrainingJobs {
  readonly options: TrainingJobsOptions;
  readonly #registry: JobRegistry;
  readonly #monitors = new Map<string, TrainingMonitor>();

  constructor(options: TrainingJobsOptions) {
    this.options = options;
    this.#registry = new JobRegistry({
      idPrefix: 'train',
      logDirectory: options.jobDirectory,
      maxJobs: options.maxJobs,
      serverLabel: 'training server',
      closeGraceMs: options.stopGraceMs,
      ...(options.confinement === undefined ? {} : { sandbox: options.confinement }),
    });
    for (const job of this.#registry.list())
      this.#monitors.set(job.id, new TrainingMonitor(job, this.#monitorOptions(options.workdir)));
  }

  get reattachProblems(): readonly string[] {
    return this.#registry.reattachProblems;
  }

  /**
   * Starts a job. Refuses one whose command (in the same directory) or name is already running — a resumed agent
   * that asks again gets the running job's id instead of a second trainer on the same GPU.
   */
  async start(request: TrainingStartRequest): Promise<TrainingMonitor> {
    const cwd = await resolveWorkingDirectory(this.options.workdir, request.cwd, 'training server');
    const twin = this.list().find(
      (monitor) =>
        monitor.job.running &&
        ((monitor.job.commandText === request.command && monitor.cwd === cwd) ||
          (request.name !== undefined && monitor.job.name === request.name)),
    );
    if (twin !== undefined) {
      throw new MuxSwarmError(
        'training-job-running',
        `Training job ${twin.job.id}${twin.job.name === undefined ? '' : ` (${twin.job.name})`} is already running ${twin.job.commandText === request.command ? 'this command' : 'under this name'}` +
          `${twin.job.reattached ? ' (re-attached after mux-swarm restarted)' : ''}; no second one was started. Follow it with wait, or stop it first.`,
      );
    }
    const job = await this.#registry.start({
      file: '/bin/sh',
      args: ['-c', request.command],
      cwd,
      environment: { ...this.options.environment, ...request.env },
      commandText: request.command,
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.time_limit_ms === undefined ? {} : { timeLimitMs: request.time_limit_ms }),
    });
    const monitor = new TrainingMonitor(job, {
      ...this.#monitorOptions(cwd),
      ...(request.stall_timeout_ms === undefined ? {} : { stallTimeoutMs: request.stall_timeout_ms }),
    });
    this.#monitors.set(job.id, monitor);
    return monitor;
  }

  get(id: string): TrainingMonitor {
    const monitor = this.#monitors.get(id);
    if (monitor !== undefined) return monitor;
    this.#registry.get(id); // throws naming the known jobs
    throw new MuxSwarmError('unknown-job', `No training job "${id}".`);
  }

  /** All jobs, oldest first. */
  list(): TrainingMonitor[] {
    return [...this.#monitors.values()];
  }

  /**
   * mux-swarm stops in an orderly way: by default every running job is stopped with the grace for a checkpoint
   * and its outcome recorded; with onExit "leave-running", or when the run stops to be resumed (a provider outage),
   * they go on, for the next resume to re-attach to.
   */
  async close(): Promise<void> {
    if (this.options.onExit === 'leave-running' || this.options.stoppingToResume?.() === true) {
      this.#registry.closeLeavingJobsRunning();
      for (const monitor of this.list()) monitor.detach();
      return;
    }
    const running = this.list().filter((monitor) => monitor.job.running);
    for (const monitor of running) monitor.markStopRequested();
    await this.#registry.closeAll();
    await Promise.all(running.map((monitor) => monitor.finished));
  }

  #monitorOptions(cwd: string): TrainingMonitorOptions {
    const { store, runId, emit, stallTimeoutMs, stopGraceMs, progressEventIntervalMs, gpuHourlyUsd } = this.options;
    return {
      store,
      runId,
      ...(emit === undefined ? {} : { emit }),
      stallTimeoutMs,
      stopGraceMs,
      progressEventIntervalMs,
      gpuHourlyUsd,
      cwd,
    };
  }
}

import { closeSync } from 'node:fs';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { trackProcessGroup } from '../../supervisor/process-group-registry.js';
import { processStartTime } from '../../supervisor/process-identity.js';
import { Job, JOB_KILL_GRACE_MS } from './job.js';
import type { JobProgram } from './job-launch.js';
import { JobOutputLog } from './job-output-log.js';
import { failPoint } from '../../supervisor/fail-points.js';
import { sandboxFor, type SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import type { JobOwner } from './job-record.js';
import { claimRecordedJobs, jobExitFilePath, jobRecordPath } from './recorded-jobs.js';

export interface JobRegistryOptions {
  /** Job ids are this prefix and a number: "shell-1", "python-2". */
  idPrefix: string;
  /** Where the log files go, e.g. `<spillDir>/jobs`. */
  logDirectory: string;
  /** Jobs that may run at once (re-attached ones included); starting one more is refused. */
  maxJobs: number;
  /** Human name of the server for messages, e.g. "shell server". */
  serverLabel: string;
  /** Grace between SIGTERM and SIGKILL for the jobs killed by closeAll; default JOB_KILL_GRACE_MS. */
  closeGraceMs?: number;
  /** The sandbox jobs run in (docs/sandbox.md); undefined: unconfined. */
  sandbox?: SandboxRequest;
}

/** Ended jobs kept for status and wait; older ones are forgotten (their log files stay). */
const MAX_ENDED_JOBS = 100;

/**
 * The jobs of one server: starts them within the job limit, finds them by id, and kills them all at close.
 * At creation it re-attaches the jobs recorded in its log directory by a mux-swarm process that has died (a
 * crash, a kill -9, an OOM kill): running ones go on being followed, ended ones report how they ended, and new
 * ids continue after the highest recorded one.
 */
export class JobRegistry {
  readonly options: JobRegistryOptions;
  /** Job records found at creation that could not be re-attached: what failed and what to do. */
  readonly reattachProblems: readonly string[];
  readonly #jobs = new Map<string, Job>();
  readonly #owner: JobOwner = { pid: process.pid, processStartTime: processStartTime(process.pid) ?? null };
  #nextNumber: number;
  #starting = 0;
  #closed = false;

  constructor(options: JobRegistryOptions) {
    this.options = options;
    const recorded = claimRecordedJobs(options.logDirectory, options.idPrefix, this.#owner);
    for (const { record, file } of recorded.claimed) {
      this.#jobs.set(record.id, Job.reattach(record, file, new JobOutputLog(record.id, record.outputLog)));
    }
    this.#nextNumber = recorded.highestNumber + 1;
    this.reattachProblems = recorded.problems;
    this.#forgetOldEndedJobs();
  }

  /**
   * Starts a job. Throws a MuxSwarmError when the limit is reached, the server is closed or the logs cannot be
   * created; rethrows the spawn error (an ErrnoException) when the program cannot be started.
   */
  async start(launch: JobProgram): Promise<Job> {
    if (this.#closed) {
      throw new MuxSwarmError(
        'jobs-closed',
        `The ${this.options.serverLabel} is shutting down; no new job can be started.`,
      );
    }
    const running = this.running();
    if (running.length + this.#starting >= this.options.maxJobs) {
      throw new MuxSwarmError(
        'job-limit-reached',
        `${countJobs(running.length + this.#starting)} running, the most the ${this.options.serverLabel} allows ` +
          `(maxJobs ${this.options.maxJobs}): ${running.map((job) => `${job.id} (${job.commandText})`).join(', ')}. ` +
          "Wait for one to end (wait_job) or stop one (kill_job), or raise maxJobs in the server's options in config.json.",
      );
    }
    this.#starting += 1;
    try {
      const { id, log, descriptor } = this.#createLog();
      const { logDirectory } = this.options;
      try {
        // The job writes its exit status in the log directory, inside the read-only state directory.
        const sandbox =
          this.options.sandbox === undefined ? undefined : await sandboxFor(this.options.sandbox, [logDirectory]);
        const job = await Job.start({
          ...launch,
          ...(sandbox === undefined ? {} : { sandbox }),
          id,
          log,
          outputDescriptor: descriptor,
          exitFile: jobExitFilePath(logDirectory, id),
          recordFile: jobRecordPath(logDirectory, id),
          owner: this.#owner,
        });
        this.#jobs.set(id, job);
        failPoint('job-spawned');
        if (this.#closed) this.#killAtClose(job); // the server closed while it started
        this.#forgetOldEndedJobs();
        return job;
      } catch (error) {
        log.remove();
        throw error;
      } finally {
        closeSync(descriptor); // the job holds its own copy
      }
    } finally {
      this.#starting -= 1;
    }
  }

  /** The job with this id; throws naming the known ids when there is none. */
  get(id: string): Job {
    const job = this.#jobs.get(id);
    if (job !== undefined) return job;
    const known = [...this.#jobs.keys()];
    throw new MuxSwarmError(
      'unknown-job',
      `No job "${id}" on the ${this.options.serverLabel}. ` +
        (known.length === 0
          ? 'No job has been started (start one with start_job).'
          : `Its jobs: ${known.join(', ')} (list_jobs shows them).`),
    );
  }

  /** All jobs, oldest first. */
  list(): Job[] {
    return [...this.#jobs.values()];
  }

  running(): Job[] {
    return this.list().filter((job) => job.running);
  }

  /**
   * The orderly stop (the server is closed: the run finished, or was stopped with Ctrl-C/SIGTERM): refuses new
   * jobs and kills every running one, re-attached ones included (SIGTERM, grace, SIGKILL); resolves when all
   * have ended. Only from here on are the jobs' groups in the process-group registry, so that mux-swarm exiting
   * before the grace is over still SIGKILLs them; until then a crash of mux-swarm leaves them running.
   */
  async closeAll(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.running().map((job) => this.#killAtClose(job)));
  }

  /** Refuses new jobs and leaves the running ones running, for a mux-swarm started later to re-attach to. */
  closeLeavingJobsRunning(): void {
    this.#closed = true;
  }

  #killAtClose(job: Job): Promise<void> {
    trackProcessGroup(job.pid); // killProcessGroup untracks it once the group is gone
    return job.kill(this.options.closeGraceMs ?? JOB_KILL_GRACE_MS);
  }

  /** The next free id and its log file, open for the job (another server may write jobs into the same directory). */
  #createLog(): { id: string; log: JobOutputLog; descriptor: number } {
    for (;;) {
      const id = `${this.options.idPrefix}-${this.#nextNumber}`;
      this.#nextNumber += 1;
      const created = JobOutputLog.tryCreate(this.options.logDirectory, id);
      if (created !== undefined) return { id, ...created };
    }
  }

  #forgetOldEndedJobs(): void {
    const ended = this.list().filter((job) => !job.running);
    for (const job of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_JOBS))) this.#jobs.delete(job.id);
  }
}

function countJobs(count: number): string {
  return count === 1 ? '1 job is' : `${count} jobs are`;
}

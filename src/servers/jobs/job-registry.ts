import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { Job, JOB_KILL_GRACE_MS, type JobLaunch } from './job.js';
import { JobOutputLog } from './job-output-log.js';

export interface JobRegistryOptions {
  /** Job ids are this prefix and a number: "shell-1", "python-2". */
  idPrefix: string;
  /** Where the log files go, e.g. `<spillDir>/jobs`. */
  logDirectory: string;
  /** Jobs that may run at once; starting one more is refused. */
  maxJobs: number;
  /** Bytes of combined output kept in memory per job (the rest is read back from its log file). */
  tailBytes: number;
  /** Bytes of stderr kept in memory per job, to read an error report at its end; default 64 KiB. */
  stderrTailBytes?: number;
  /** Human name of the server for messages, e.g. "shell server". */
  serverLabel: string;
}

/** Ended jobs kept for status and wait; older ones are forgotten (their log files stay). */
const MAX_ENDED_JOBS = 100;

/** The jobs of one server: starts them within the job limit, finds them by id, and kills them all at close. */
export class JobRegistry {
  readonly options: JobRegistryOptions;
  readonly #jobs = new Map<string, Job>();
  #nextNumber = 1;
  #starting = 0;
  #closed = false;

  constructor(options: JobRegistryOptions) {
    this.options = options;
  }

  /**
   * Starts a job. Throws a MuxSwarmError when the limit is reached, the server is closed or the logs cannot be
   * created; rethrows the spawn error (an ErrnoException) when the program cannot be started.
   */
  async start(launch: Omit<JobLaunch, 'id' | 'log'>): Promise<Job> {
    if (this.#closed) {
      throw new MuxSwarmError('jobs-closed', `The ${this.options.serverLabel} is shutting down; no new job can be started.`);
    }
    const running = this.running();
    if (running.length + this.#starting >= this.options.maxJobs) {
      throw new MuxSwarmError(
        'job-limit-reached',
        `${countJobs(running.length + this.#starting)} running, the most the ${this.options.serverLabel} allows ` +
          `(maxJobs ${this.options.maxJobs}): ${running.map((job) => `${job.id} (${job.commandText})`).join(', ')}. ` +
          'Wait for one to end (wait_job) or stop one (kill_job), or raise maxJobs in the server\'s options in config.json.',
      );
    }
    this.#starting += 1;
    try {
      const [id, log] = this.#createLog();
      try {
        const job = await Job.start({ ...launch, id, log });
        this.#jobs.set(id, job);
        if (this.#closed) void job.kill(JOB_KILL_GRACE_MS); // the server closed while it started
        this.#forgetOldEndedJobs();
        return job;
      } catch (error) {
        log.remove();
        throw error;
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
        (known.length === 0 ? 'No job has been started (start one with start_job).' : `Its jobs: ${known.join(', ')} (list_jobs shows them).`),
    );
  }

  /** All jobs, oldest first. */
  list(): Job[] {
    return [...this.#jobs.values()];
  }

  running(): Job[] {
    return this.list().filter((job) => job.running);
  }

  /** Refuses new jobs and kills every running one (SIGTERM, grace, SIGKILL); resolves when all have ended. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.running().map((job) => job.kill(JOB_KILL_GRACE_MS)));
  }

  /** The next free id and its log files (another server may write jobs into the same directory). */
  #createLog(): [string, JobOutputLog] {
    for (;;) {
      const id = `${this.options.idPrefix}-${this.#nextNumber}`;
      this.#nextNumber += 1;
      const log = JobOutputLog.tryCreate(this.options.logDirectory, id, {
        tailBytes: this.options.tailBytes,
        ...(this.options.stderrTailBytes === undefined ? {} : { stderrTailBytes: this.options.stderrTailBytes }),
      });
      if (log !== undefined) return [id, log];
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

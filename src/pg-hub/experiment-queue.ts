import PgBoss from 'pg-boss';
import type pg from 'pg';
import { asPgHubError, assertPgHubUrl, redactUrl } from './pg-hub-connection.js';
import { PgHubError } from '../errors/pg-hub-error.js';

/** The pg-boss queue of work items (experiments to try). */
export const EXPERIMENT_QUEUE = 'experiments';
/** pg-boss keeps its own tables here (created by its `start()`). */
export const PGBOSS_SCHEMA = 'pgboss';

/** One experiment to try: what the runtime's loop hands to whichever node takes it. */
export interface ExperimentItem {
  experiment_id: string;
  hypothesis?: string;
  /** The commit to start from. */
  base_commit?: string;
  /** Free-form description of the change (parameters, a patch, a prompt for the orchestrator). */
  change?: Record<string, unknown>;
  /** The node that enqueued it. */
  requested_by?: string;
}

export interface ExperimentJob {
  id: string;
  data: ExperimentItem;
  /** 0 the first time; 1 and up when a failed or expired attempt is retried. */
  retryCount: number;
}

export interface RetryPolicy {
  /** Retries after a failure or an expiry (default 2: three attempts in all). */
  retryLimit?: number;
  /** Seconds before a retry may start (default 0). */
  retryDelay?: number;
  /** An attempt still active after this long is treated as dead (its node crashed or was killed) and retried. Default 3600. */
  expireInSeconds?: number;
}

export interface ExperimentQueueOptions extends RetryPolicy {
  /** This node's name, recorded in completions and failures. */
  node: string;
  /** How often `work` polls (default 2 s; pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** How often pg-boss's maintenance (expiring dead attempts into retries) runs (default 60 s). */
  maintenanceIntervalSeconds?: number;
  /** pg-boss's own errors (a lost connection, a failed maintenance run); default: ignored, they are retried. */
  onError?: (error: Error) => void;
}

/**
 * The work-item queue on the hub, through pg-boss 10: `enqueueExperiment` adds an item; `work` takes items one at
 * a time and completes each when the handler resolves or fails it when it throws; `fetchExperiment` /
 * `complete` / `fail` do the same by hand. A failed attempt is retried (`retryLimit`, `retryDelay`); an attempt
 * whose node dies holding it stays active until `expireInSeconds` has passed, then pg-boss's maintenance (any
 * node's) puts it back for another node, counting as a retry. Items therefore may run more than once: handlers
 * must tolerate it (a result is recorded per attempt).
 */
export class ExperimentQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: ExperimentQueueOptions,
  ) {}

  /** Starts pg-boss on the hub (creating its `pgboss` schema on first use) and makes sure the queue exists. */
  static async open(url: string, options: ExperimentQueueOptions): Promise<ExperimentQueue> {
    const boss = new PgBoss({
      connectionString: assertPgHubUrl(url),
      schema: PGBOSS_SCHEMA,
      application_name: `mux-swarm-queue-${options.node}`,
      max: 4,
      schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    });
    boss.on('error', options.onError ?? (() => undefined));
    try {
      await boss.start();
      await boss.createQueue(EXPERIMENT_QUEUE, {
        name: EXPERIMENT_QUEUE,
        retryLimit: 2,
        retryDelay: 0,
        expireInSeconds: 3600,
      });
    } catch (error) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      throw asPgHubError(error, url);
    }
    return new ExperimentQueue(boss, options);
  }

  /** Adds a work item; returns its job id. The retry policy defaults to this queue's options. */
  async enqueueExperiment(item: ExperimentItem, policy: RetryPolicy = {}): Promise<string> {
    if (!item.experiment_id) throw new PgHubError('experiment_invalid', 'a work item needs an experiment_id');
    const id = await this.boss.send(
      EXPERIMENT_QUEUE,
      { requested_by: this.options.node, ...item },
      {
        retryLimit: policy.retryLimit ?? this.options.retryLimit ?? 2,
        retryDelay: policy.retryDelay ?? this.options.retryDelay ?? 0,
        expireInSeconds: policy.expireInSeconds ?? this.options.expireInSeconds ?? 3600,
      },
    );
    if (!id) throw new PgHubError('experiment_not_queued', `pg-boss did not queue experiment ${item.experiment_id}`);
    return id;
  }

  /**
   * Works items one at a time until `stop()`: the handler's resolved value is stored as the job's output
   * (completed); a throw fails the attempt, which is retried while retries are left. Returns the worker id.
   */
  async work(handler: (job: ExperimentJob) => Promise<Record<string, unknown> | void>): Promise<string> {
    return this.boss.work<ExperimentItem>(
      EXPERIMENT_QUEUE,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 },
      async ([job]) => {
        if (!job) return undefined;
        const output = await handler({ id: job.id, data: job.data, retryCount: job.retryCount });
        return { node: this.options.node, ...(output ?? {}) };
      },
    );
  }

  /** Takes the next item, if any, marking it active for this node; finish it with complete() or fail(). */
  async fetchExperiment(): Promise<ExperimentJob | undefined> {
    const [job] = await this.boss.fetch<ExperimentItem>(EXPERIMENT_QUEUE, { batchSize: 1, includeMetadata: true });
    return job ? { id: job.id, data: job.data, retryCount: job.retryCount } : undefined;
  }

  async complete(id: string, output: Record<string, unknown> = {}): Promise<void> {
    await this.boss.complete(EXPERIMENT_QUEUE, id, { node: this.options.node, ...output });
  }

  /** Fails an attempt; it is retried while retries are left. */
  async fail(id: string, error: Error | string): Promise<void> {
    await this.boss.fail(EXPERIMENT_QUEUE, id, {
      node: this.options.node,
      message: typeof error === 'string' ? error : error.message,
    });
  }

  /** A job's state as pg-boss has it (also once archived). */
  async job(id: string): Promise<{ state: string; retryCount: number; output: unknown } | undefined> {
    const job = await this.boss.getJobById<ExperimentItem>(EXPERIMENT_QUEUE, id, { includeArchive: true });
    return job ? { state: job.state, retryCount: job.retryCount, output: job.output } : undefined;
  }

  /** Runs pg-boss maintenance now: expired attempts become retries (normally every maintenanceIntervalSeconds). */
  async expireDeadAttempts(): Promise<void> {
    await this.boss.maintain();
  }

  /** Stops polling; `graceful` waits for the running handler, otherwise its job is failed (and so retried). */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    await this.boss.stop({ graceful: options.graceful ?? true, wait: true, timeout: 30_000 });
  }
}

/** Jobs of the experiments queue by state (created, retry, active, completed, failed, cancelled); null before `hub init`. */
export async function experimentQueueCounts(pool: pg.Pool, url: string): Promise<Record<string, number> | null> {
  try {
    const installed = await pool.query<{ table: string | null }>(
      `SELECT to_regclass('${PGBOSS_SCHEMA}.job')::text AS table`,
    );
    if (!installed.rows[0]?.table) return null;
    const { rows } = await pool.query<{ state: string; count: string }>(
      `SELECT state::text AS state, count(*) AS count FROM ${PGBOSS_SCHEMA}.job WHERE name = $1 GROUP BY state`,
      [EXPERIMENT_QUEUE],
    );
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  } catch (error) {
    const mapped = asPgHubError(error, url);
    if (mapped !== error) throw mapped;
    throw new PgHubError(
      'hub_query_failed',
      `cannot count the experiments queue at ${redactUrl(url)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

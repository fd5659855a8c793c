import pg from 'pg';
import type { ClaimedMetric } from './claim.js';
import { EXPERIMENT_QUEUE, ExperimentQueue, experimentQueueCounts } from './experiment-queue.js';
import {
  BREAKTHROUGH_CHANNEL,
  PgHubBreakthroughStore,
  type BreakthroughStatus,
  type VerificationRow,
} from './pg-hub-breakthrough-store.js';
import { asPgHubError } from './pg-hub-connection.js';
import { PgHubDb } from './pg-hub-db.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { PgHubNodeRegistry, type PgHubNode } from './pg-hub-node-registry.js';
import {
  HUB_SCHEMA,
  LATEST_HUB_VERSION,
  pgHubSchemaVersion,
  migratePgHub,
  type MigrationReport,
} from './pg-hub-schema.js';
import { assertNodeName } from './node-name.js';

/** One measured experiment, as a node reports it (results are facts for the swarm's history, not claims). */
export interface ResultInput {
  node: string;
  experimentId: string;
  baseCommit: string;
  diffHash?: string;
  metric: ClaimedMetric;
  seeds?: number[];
  evalScriptHash?: string;
  hardware?: Record<string, unknown>;
}

export interface PgHubStatus {
  url: string;
  schemaVersion: number;
  nodes: PgHubNode[];
  /** Jobs of the experiments queue by state; null when pg-boss's schema is not there yet. */
  queue: Record<string, number> | null;
  breakthroughs: Record<BreakthroughStatus, number>;
  verifications: { adopted: number; rejected: number };
  recentVerifications: VerificationRow[];
}

export interface BreakthroughSubscription {
  close(): Promise<void>;
}

/**
 * A connection to the hub: a PostgreSQL database shared by the nodes. `nodes` is the allow-list, `breakthroughs`
 * the claims, seen claims and verifications; results and the status summary are here; the work-item queue is
 * `ExperimentQueue` (pg-boss) on the same database. `connect` refuses a hub whose schema is missing or older than
 * this version (run `hub init`).
 */
export class PgHubClient {
  readonly nodes: PgHubNodeRegistry;
  readonly breakthroughs: PgHubBreakthroughStore;

  private constructor(private readonly db: PgHubDb) {
    this.nodes = new PgHubNodeRegistry(db);
    this.breakthroughs = new PgHubBreakthroughStore(db);
  }

  get url(): string {
    return this.db.url;
  }

  /** The URL with its password masked, for messages. */
  get redactedUrl(): string {
    return this.db.redactedUrl;
  }

  static async connect(url: string, options: { requireSchema?: boolean } = {}): Promise<PgHubClient> {
    const db = new PgHubDb(url);
    try {
      if (options.requireSchema ?? true) {
        const version = await pgHubSchemaVersion(db.pool).catch((error: unknown) =>
          Promise.reject(asPgHubError(error, url)),
        );
        if (version < LATEST_HUB_VERSION) {
          throw new PgHubError(
            'hub_not_initialised',
            `the hub at ${db.redactedUrl} is at schema version ${version}, this mux-swarm needs ${LATEST_HUB_VERSION}: run \`mux-swarm hub init --hub <url>\``,
          );
        }
      }
      return new PgHubClient(db);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * `hub init`: the mux_swarm schema at the latest version, pg-boss's schema (its `start()` creates and migrates
   * it) and the experiments queue. Idempotent.
   */
  static async init(url: string): Promise<{ migrations: MigrationReport; queue: string }> {
    const db = new PgHubDb(url);
    try {
      let migrations: MigrationReport;
      try {
        migrations = await migratePgHub(db.pool);
      } catch (error) {
        throw asPgHubError(error, url);
      }
      const queue = await ExperimentQueue.open(url, { node: 'hub-init', maintenanceIntervalSeconds: 3600 });
      await queue.stop({ graceful: false });
      return { migrations, queue: EXPERIMENT_QUEUE };
    } finally {
      await db.close().catch(() => undefined);
    }
  }

  async recordResult(result: ResultInput): Promise<string> {
    assertNodeName(result.node);
    const { rows } = await this.db
      .query<{ id: string }>(
        `INSERT INTO ${HUB_SCHEMA}.results (node, experiment_id, base_commit, diff_hash, metric_name, metric_value, direction, seeds, eval_script_hash, hardware)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb) RETURNING id`,
        [
          result.node,
          result.experimentId,
          result.baseCommit,
          result.diffHash ?? null,
          result.metric.name,
          result.metric.value,
          result.metric.direction,
          JSON.stringify(result.seeds ?? []),
          result.evalScriptHash ?? null,
          JSON.stringify(result.hardware ?? {}),
        ],
      )
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23503')
          throw new PgHubError(
            'node_not_registered',
            `cannot record a result for node "${result.node}": it is not registered on the hub`,
          );
        throw error;
      });
    return String(rows[0]!.id);
  }

  async results(
    experimentId?: string,
  ): Promise<Array<{ id: string; node: string; experimentId: string; metric: ClaimedMetric; createdAt: Date }>> {
    const { rows } = await this.db.query<{
      id: string;
      node: string;
      experiment_id: string;
      metric_name: string;
      metric_value: number;
      direction: ClaimedMetric['direction'];
      created_at: Date;
    }>(
      `SELECT id, node, experiment_id, metric_name, metric_value, direction, created_at FROM ${HUB_SCHEMA}.results WHERE $1::text IS NULL OR experiment_id = $1 ORDER BY id`,
      [experimentId ?? null],
    );
    return rows.map((row) => ({
      id: String(row.id),
      node: row.node,
      experimentId: row.experiment_id,
      metric: { name: row.metric_name, value: row.metric_value, direction: row.direction },
      createdAt: row.created_at,
    }));
  }

  /**
   * LISTENs on `mux_swarm_breakthrough` with a dedicated connection: `listener` gets each new breakthrough's id.
   * `onError` hears of a lost connection (then re-subscribe, and catch up with `breakthroughs.pending`).
   */
  async onBreakthrough(
    listener: (id: string) => void,
    onError: (error: Error) => void = () => undefined,
  ): Promise<BreakthroughSubscription> {
    const client = new pg.Client({ connectionString: this.db.url, application_name: 'mux-swarm-hub-listen' });
    client.on('error', (error) => onError(asPgHubError(error, this.db.url) as Error));
    client.on('notification', (message) => {
      if (message.channel === BREAKTHROUGH_CHANNEL && message.payload) listener(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${BREAKTHROUGH_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw asPgHubError(error, this.db.url);
    }
    return { close: () => client.end().catch(() => undefined) };
  }

  async status(): Promise<PgHubStatus> {
    const [version, nodes, queue, breakthroughs, verdicts, recent] = await Promise.all([
      pgHubSchemaVersion(this.db.pool).catch((error: unknown) => Promise.reject(asPgHubError(error, this.db.url))),
      this.nodes.list(),
      experimentQueueCounts(this.db.pool, this.db.url),
      this.db.query<{ status: BreakthroughStatus; count: string }>(
        `SELECT status, count(*) AS count FROM ${HUB_SCHEMA}.breakthroughs GROUP BY status`,
      ),
      this.db.query<{ verdict: 'adopted' | 'rejected'; count: string }>(
        `SELECT verdict, count(*) AS count FROM ${HUB_SCHEMA}.verifications GROUP BY verdict`,
      ),
      this.breakthroughs.verifications(undefined, 10),
    ]);
    const byStatus: Record<BreakthroughStatus, number> = { announced: 0, adopted: 0, rejected: 0 };
    for (const row of breakthroughs.rows) byStatus[row.status] = Number(row.count);
    const byVerdict = { adopted: 0, rejected: 0 };
    for (const row of verdicts.rows) byVerdict[row.verdict] = Number(row.count);
    return {
      url: this.db.redactedUrl,
      schemaVersion: version,
      nodes,
      queue,
      breakthroughs: byStatus,
      verifications: byVerdict,
      recentVerifications: recent,
    };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

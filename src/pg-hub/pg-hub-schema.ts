import type pg from 'pg';

/** The hub's own tables live in this schema; pg-boss keeps its queue in `pgboss`. */
export const HUB_SCHEMA = 'mux_swarm';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Versioned migrations, applied in order and recorded in mux_swarm.schema_migrations. Never edit one that has
 * shipped: add the next version.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'nodes, results, breakthroughs, verifications, seen claims',
    sql: `
      CREATE TABLE ${HUB_SCHEMA}.nodes (
        name text PRIMARY KEY,
        public_key text NOT NULL,
        key_id text NOT NULL,
        allowed boolean NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE ${HUB_SCHEMA}.results (
        id bigserial PRIMARY KEY,
        node text NOT NULL REFERENCES ${HUB_SCHEMA}.nodes (name),
        experiment_id text NOT NULL,
        base_commit text NOT NULL,
        diff_hash text,
        metric_name text NOT NULL,
        metric_value double precision NOT NULL,
        direction text NOT NULL CHECK (direction IN ('lower', 'higher')),
        seeds jsonb NOT NULL DEFAULT '[]',
        eval_script_hash text,
        hardware jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX results_experiment ON ${HUB_SCHEMA}.results (experiment_id);

      -- Claims are stored as sent, also from unknown nodes: each verifying node judges them, the hub does not.
      CREATE TABLE ${HUB_SCHEMA}.breakthroughs (
        id bigserial PRIMARY KEY,
        node text NOT NULL,
        commit text NOT NULL,
        base_commit text NOT NULL,
        diff_hash text NOT NULL,
        nonce text NOT NULL,
        metric_name text NOT NULL,
        metric_value double precision NOT NULL,
        direction text NOT NULL CHECK (direction IN ('lower', 'higher')),
        claim jsonb NOT NULL,
        signature text NOT NULL,
        bundle bytea NOT NULL,
        status text NOT NULL DEFAULT 'announced' CHECK (status IN ('announced', 'adopted', 'rejected')),
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE ${HUB_SCHEMA}.verifications (
        id bigserial PRIMARY KEY,
        breakthrough_id bigint NOT NULL REFERENCES ${HUB_SCHEMA}.breakthroughs (id),
        verifier_node text NOT NULL REFERENCES ${HUB_SCHEMA}.nodes (name),
        metric_name text,
        measured jsonb,
        verdict text NOT NULL CHECK (verdict IN ('adopted', 'rejected')),
        reason text NOT NULL,
        statement jsonb NOT NULL,
        signature text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (breakthrough_id, verifier_node)
      );

      -- What each verifying node has seen: a second claim with the same nonce, or the same (node, diff_hash), is a replay.
      CREATE TABLE ${HUB_SCHEMA}.seen_claims (
        verifier_node text NOT NULL,
        nonce text NOT NULL,
        claim_node text NOT NULL,
        diff_hash text NOT NULL,
        breakthrough_id bigint NOT NULL REFERENCES ${HUB_SCHEMA}.breakthroughs (id),
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (verifier_node, nonce),
        UNIQUE (verifier_node, claim_node, diff_hash)
      );
    `,
  },
];

export const LATEST_HUB_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export interface MigrationReport {
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings the hub schema to the latest version, in one transaction under an advisory lock, so that two nodes running
 * `hub init` at once do not both apply a migration. Idempotent.
 */
export async function migratePgHub(pool: pg.Pool): Promise<MigrationReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${HUB_SCHEMA}.migrations'))`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${HUB_SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${HUB_SCHEMA}.schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${HUB_SCHEMA}.schema_migrations`);
    const done = new Set(rows.map((row) => row.version));
    const from = Math.max(0, ...done);
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${HUB_SCHEMA}.schema_migrations (version, description) VALUES ($1, $2)`, [
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { from, to: LATEST_HUB_VERSION, applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The schema version a hub is at; 0 when `hub init` never ran on it. */
export async function pgHubSchemaVersion(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass('${HUB_SCHEMA}.schema_migrations') IS NULL THEN 0 END AS version`,
  );
  if (rows[0]?.version === 0) return 0;
  const applied = await pool.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${HUB_SCHEMA}.schema_migrations`,
  );
  return applied.rows[0]?.version ?? 0;
}

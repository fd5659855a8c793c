import type { Claim, ClaimedMetric } from './claim.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import type { PgHubDb } from './pg-hub-db.js';
import { HUB_SCHEMA } from './pg-hub-schema.js';
import type { PreparedBreakthrough } from './prepare-breakthrough.js';
import type { SignedVerification, Verdict, VerificationStatement } from './verification-record.js';
import type { BreakthroughCandidate } from './verify-breakthrough.js';

/** LISTEN/NOTIFY channel; the payload is the new breakthrough's id. */
export const BREAKTHROUGH_CHANNEL = 'mux_swarm_breakthrough';

export type BreakthroughStatus = 'announced' | 'adopted' | 'rejected';

export interface BreakthroughSummary {
  id: string;
  node: string;
  commit: string;
  baseCommit: string;
  metric: ClaimedMetric;
  /** Informational, set by the hub from the verifications so far (adopted by someone, or rejected by all). */
  status: BreakthroughStatus;
  createdAt: Date;
}

export interface StoredBreakthrough extends BreakthroughCandidate {
  bundle: Buffer;
  status: BreakthroughStatus;
}

export interface VerificationRow extends SignedVerification {
  id: string;
  breakthroughId: string;
  verifier: string;
  verdict: Verdict;
  reason: string;
  createdAt: Date;
}

/**
 * Breakthroughs, the claims each node has seen, and verifications, in the hub. The hub stores what nodes send,
 * signed; it decides nothing: each verifying node checks every claim itself (verify-breakthrough.ts).
 */
export class PgHubBreakthroughStore {
  constructor(private readonly db: PgHubDb) {}

  /** Stores a signed claim and its bundle and announces it (NOTIFY on commit). Returns the breakthrough id. */
  async publish(prepared: PreparedBreakthrough): Promise<string> {
    const { claim, signature } = prepared.signed;
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO ${HUB_SCHEMA}.breakthroughs (node, commit, base_commit, diff_hash, nonce, metric_name, metric_value, direction, claim, signature, bundle)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11) RETURNING id`,
        [
          claim.node,
          claim.commit,
          claim.base_commit,
          claim.diff_hash,
          claim.nonce,
          claim.metric.name,
          claim.metric.value,
          claim.metric.direction,
          JSON.stringify(claim),
          signature,
          prepared.bundle,
        ],
      );
      const id = String(rows[0]!.id);
      await client.query('SELECT pg_notify($1, $2)', [BREAKTHROUGH_CHANNEL, id]);
      return id;
    });
  }

  /**
   * The breakthroughs `verifier` has not verified yet, from other nodes, best claimed metric first (lower values
   * first where lower is better, higher first where higher is): the claim only orders the work.
   */
  async pending(verifier: string, limit = 100): Promise<BreakthroughSummary[]> {
    const { rows } = await this.db.query<SummaryRow>(
      `SELECT b.id, b.node, b.commit, b.base_commit, b.metric_name, b.metric_value, b.direction, b.status, b.created_at
         FROM ${HUB_SCHEMA}.breakthroughs b
        WHERE b.node <> $1
          AND NOT EXISTS (SELECT 1 FROM ${HUB_SCHEMA}.verifications v WHERE v.breakthrough_id = b.id AND v.verifier_node = $1)
        ORDER BY CASE WHEN b.direction = 'lower' THEN b.metric_value ELSE -b.metric_value END, b.id
        LIMIT $2`,
      [verifier, limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      node: row.node,
      commit: row.commit,
      baseCommit: row.base_commit,
      metric: { name: row.metric_name, value: row.metric_value, direction: row.direction },
      status: row.status,
      createdAt: row.created_at,
    }));
  }

  async load(id: string): Promise<StoredBreakthrough | undefined> {
    const { rows } = await this.db.query<{
      id: string;
      claim: unknown;
      signature: string;
      bundle: Buffer;
      status: BreakthroughStatus;
    }>(`SELECT id, claim, signature, bundle, status FROM ${HUB_SCHEMA}.breakthroughs WHERE id = $1`, [asId(id)]);
    const row = rows[0];
    return row
      ? { id: String(row.id), claim: row.claim, signature: row.signature, bundle: row.bundle, status: row.status }
      : undefined;
  }

  /**
   * Records that `verifier` saw this claim in breakthrough `id`; returns why it is a replay when the same nonce, or
   * the same (node, diff_hash), was seen in another breakthrough (then records nothing). Seeing the same
   * breakthrough again (a verification retried after a crash) is not a replay.
   */
  async recordSeen(verifier: string, id: string, claim: Claim): Promise<string | undefined> {
    const earlier = async (): Promise<string | undefined> => {
      const { rows } = await this.db.query<{ breakthrough_id: string; nonce: string }>(
        `SELECT breakthrough_id, nonce FROM ${HUB_SCHEMA}.seen_claims
          WHERE verifier_node = $1 AND (nonce = $2 OR (claim_node = $3 AND diff_hash = $4)) AND breakthrough_id <> $5
          ORDER BY seen_at LIMIT 1`,
        [verifier, claim.nonce, claim.node, claim.diff_hash, asId(id)],
      );
      const row = rows[0];
      if (!row) return undefined;
      return row.nonce === claim.nonce
        ? `claim nonce ${claim.nonce} was already seen in breakthrough ${row.breakthrough_id}`
        : `node "${claim.node}" already claimed diff ${claim.diff_hash} in breakthrough ${row.breakthrough_id}`;
    };
    const replay = await earlier();
    if (replay) return replay;
    await this.db.query(
      `INSERT INTO ${HUB_SCHEMA}.seen_claims (verifier_node, nonce, claim_node, diff_hash, breakthrough_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [verifier, claim.nonce, claim.node, claim.diff_hash, asId(id)],
    );
    return earlier(); // a concurrent insert of the same claim under another id wins; this one is then the replay
  }

  /** Stores a signed verification (replacing this verifier's earlier one of the same breakthrough) and updates the status. */
  async recordVerification(id: string, signed: SignedVerification): Promise<string> {
    const { statement } = signed;
    try {
      return await this.db.transaction(async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO ${HUB_SCHEMA}.verifications (breakthrough_id, verifier_node, metric_name, measured, verdict, reason, statement, signature)
           VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8)
           ON CONFLICT (breakthrough_id, verifier_node) DO UPDATE SET metric_name = EXCLUDED.metric_name, measured = EXCLUDED.measured,
             verdict = EXCLUDED.verdict, reason = EXCLUDED.reason, statement = EXCLUDED.statement, signature = EXCLUDED.signature, created_at = now()
           RETURNING id`,
          [
            asId(id),
            statement.verifier,
            statement.measured?.name ?? null,
            statement.measured ? JSON.stringify(statement.measured) : null,
            statement.verdict,
            statement.reason,
            JSON.stringify(statement),
            signed.signature,
          ],
        );
        await client.query(
          `UPDATE ${HUB_SCHEMA}.breakthroughs SET status = CASE
             WHEN EXISTS (SELECT 1 FROM ${HUB_SCHEMA}.verifications WHERE breakthrough_id = $1 AND verdict = 'adopted') THEN 'adopted' ELSE 'rejected' END
           WHERE id = $1`,
          [asId(id)],
        );
        return String(rows[0]!.id);
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23503') {
        throw new PgHubError(
          'node_not_registered',
          `cannot record the verification: node "${statement.verifier}" is not registered on the hub (it registers when it joins, or \`mux-swarm hub allow\` adds it)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Verifications, newest first; of one breakthrough when `id` is given. */
  async verifications(id?: string, limit = 100): Promise<VerificationRow[]> {
    const { rows } = await this.db.query<{
      id: string;
      breakthrough_id: string;
      verifier_node: string;
      verdict: Verdict;
      reason: string;
      statement: VerificationStatement;
      signature: string;
      created_at: Date;
    }>(
      `SELECT id, breakthrough_id, verifier_node, verdict, reason, statement, signature, created_at FROM ${HUB_SCHEMA}.verifications
        WHERE $1::bigint IS NULL OR breakthrough_id = $1 ORDER BY id DESC LIMIT $2`,
      [id === undefined ? null : asId(id), limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      breakthroughId: String(row.breakthrough_id),
      verifier: row.verifier_node,
      verdict: row.verdict,
      reason: row.reason,
      statement: row.statement,
      signature: row.signature,
      createdAt: row.created_at,
    }));
  }
}

interface SummaryRow {
  id: string;
  node: string;
  commit: string;
  base_commit: string;
  metric_name: string;
  metric_value: number;
  direction: ClaimedMetric['direction'];
  status: BreakthroughStatus;
  created_at: Date;
}

function asId(id: string): string {
  if (!/^\d{1,18}$/.test(id))
    throw new PgHubError('breakthrough_id_invalid', `"${id}" is not a hub breakthrough id (a number)`);
  return id;
}

import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

/** One move off an entry of an agent's failover chain, as journaled. */
export interface FailoverRecord {
  runId: string;
  delegationId: string;
  agent: string;
  turn: number;
  /** `provider/model` */
  fromEntry: string;
  toEntry: string | undefined;
  kind: string;
  reason: string;
  /** ISO time; undefined: for the rest of that session (a refused key, which a new session tries again). */
  cooledUntil: string | undefined;
  durationMs: number;
  at: string;
}

const cooldownRow = z.object({ from_entry: z.string(), kind: z.string(), cooled_until: z.string() });
const chainUsageRow = z.object({
  agent: z.string(),
  entry: z.string(),
  answered: z.number(),
  answer_ms: z.number(),
  cost_usd: z.number(),
  failovers: z.number(),
  failed_ms: z.number(),
  moved: z.number(),
});

/**
 * The journal of failover chains (`model_failovers`): every time a call moved off an entry, and the cooldowns a resumed
 * run restores, so it goes on with the chain's state rather than asking a provider that was down a minute ago first.
 */
export class ModelFailovers {
  constructor(private readonly database: SqliteDatabase) {}

  record(record: FailoverRecord): void {
    this.database
      .prepare(
        `INSERT INTO model_failovers (run_id, delegation_id, agent, turn, from_entry, to_entry, kind, reason, cooled_until, duration_ms, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.runId,
        record.delegationId,
        record.agent,
        record.turn,
        record.fromEntry,
        record.toEntry ?? null,
        record.kind,
        record.reason,
        record.cooledUntil ?? null,
        record.durationMs,
        record.at,
      );
  }

  /** Entries of the run still cooling down at `now` (ISO), with the latest end of their cooldown. */
  cooling(runId: string, now: string): Array<{ entry: string; kind: string; cooledUntil: string }> {
    return this.database
      .prepare(
        `SELECT from_entry, kind, max(cooled_until) AS cooled_until FROM model_failovers
          WHERE run_id = ? AND cooled_until IS NOT NULL AND cooled_until > ? GROUP BY from_entry`,
      )
      .all(runId, now)
      .map((row) => cooldownRow.parse(row))
      .map((row) => ({ entry: row.from_entry, kind: row.kind, cooledUntil: row.cooled_until }));
  }

  /**
   * Per agent and chain entry of the run: the calls it answered (their time and cost) and the times a call moved off it
   * (and the time those failed tries took). Empty when the run never failed over and every call went to the agent's
   * first model: then there is nothing to tell about chains.
   */
  chainUsage(runId: string): ChainEntryUsage[] {
    const rows = this.database
      .prepare(
        `SELECT agent, entry, sum(answered) AS answered, sum(answer_ms) AS answer_ms, sum(cost_usd) AS cost_usd, sum(failovers) AS failovers, sum(failed_ms) AS failed_ms, max(moved) AS moved
           FROM (SELECT agent, provider || '/' || model AS entry, count(*) AS answered, coalesce(sum(duration_ms), 0) AS answer_ms, sum(cost_usd) AS cost_usd, 0 AS failovers, 0 AS failed_ms,
                        max(requested_provider IS NOT NULL AND (requested_provider != provider OR requested_model != model)) AS moved
                   FROM model_calls WHERE run_id = ? AND status = 'completed' GROUP BY agent, entry
                 UNION ALL
                 SELECT agent, from_entry, 0, 0, 0, count(*), sum(duration_ms), 1 FROM model_failovers WHERE run_id = ? GROUP BY agent, from_entry)
          GROUP BY agent, entry ORDER BY agent, entry`,
      )
      .all(runId, runId)
      .map((row) => chainUsageRow.parse(row));
    if (!rows.some((row) => row.moved === 1)) return [];
    return rows.map((row) => ({
      agent: row.agent,
      entry: row.entry,
      answered: row.answered,
      answerMs: row.answer_ms,
      costUsd: row.cost_usd,
      failovers: row.failovers,
      failedMs: row.failed_ms,
    }));
  }
}

/** What one entry of an agent's chain did in a run. */
export interface ChainEntryUsage {
  agent: string;
  /** `provider/model` */
  entry: string;
  answered: number;
  answerMs: number;
  costUsd: number;
  failovers: number;
  failedMs: number;
}

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
const entryTotalsRow = z.object({ entry: z.string(), failovers: z.number(), failed_ms: z.number() });

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
      .run(record.runId, record.delegationId, record.agent, record.turn, record.fromEntry, record.toEntry ?? null, record.kind, record.reason, record.cooledUntil ?? null, record.durationMs, record.at);
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

  /** Per entry (`provider/model`) the run moved off: how many times, and the time its failed tries took. */
  totalsByEntry(runId: string): Array<{ entry: string; failovers: number; failedMs: number }> {
    return this.database
      .prepare(`SELECT from_entry AS entry, count(*) AS failovers, sum(duration_ms) AS failed_ms FROM model_failovers WHERE run_id = ? GROUP BY from_entry ORDER BY from_entry`)
      .all(runId)
      .map((row) => entryTotalsRow.parse(row))
      .map((row) => ({ entry: row.entry, failovers: row.failovers, failedMs: row.failed_ms }));
  }
}

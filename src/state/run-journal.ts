import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

/**
 * Reading a run's journal back to resume it. Rows are parsed with zod, so a database written by another version
 * of mux-swarm is either understood or refused with the reason, never half-read.
 */

const delegationRecordSchema = z.object({
  id: z.string(),
  agent: z.string(),
  status: z.enum(['success', 'failure', 'partial', 'stuck']).nullable(),
  stop_reason: z.string().nullable(),
  summary: z.string().nullable(),
  artifacts_json: z.string().nullable(),
  turns: z.number().int(),
  cost_usd: z.number(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
export type DelegationRecord = z.infer<typeof delegationRecordSchema>;

const storedToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const transcriptRowSchema = z.object({
  seq: z.number().int(),
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullable(),
  tool_calls_json: z.string().nullable(),
  tool_call_id: z.string().nullable(),
});

/** A transcript message as the journal holds it, ready to send to a model again. */
export type JournalMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: Array<z.infer<typeof storedToolCallSchema>> }
  | { role: 'tool'; tool_call_id: string; content: string };

const toolCallRecordSchema = z.object({
  result_text: z.string().nullable(),
  reply_text: z.string().nullable(),
  is_error: z.number().int().nullable(),
  duration_ms: z.number().int().nullable(),
});

/** A journaled tool call: `completed` once its outcome was recorded; before that only the intent exists. */
export interface ToolCallRecord {
  completed: boolean;
  /** What the model was shown. */
  replyText: string | null;
  isError: boolean;
}

export const modelUsageRowSchema = z.object({
  agent: z.string(),
  provider: z.string(),
  model: z.string(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cached_input_tokens: z.number().int(),
  reasoning_tokens: z.number().int(),
  cost_usd: z.number(),
  cost_source: z.string().nullable(),
});
export type ModelUsageRow = z.infer<typeof modelUsageRowSchema>;

const delegationOverviewSchema = delegationRecordSchema.extend({
  parent_id: z.string().nullable(),
  depth: z.number().int(),
  task: z.string(),
});
/** A delegation as a recovery report lists it: finished (`status` set) or in flight (`status` null). */
export type DelegationOverview = z.infer<typeof delegationOverviewSchema>;

export const toolCallIntentSchema = z.object({
  id: z.string(),
  delegation_id: z.string(),
  agent: z.string(),
  turn: z.number().int(),
  name: z.string(),
  arguments_json: z.string(),
  started_at: z.string(),
});
/** A tool call whose intent was journaled and whose outcome was not: a crash cut it off. */
export type ToolCallIntent = z.infer<typeof toolCallIntentSchema>;

export class RunJournal {
  constructor(private readonly database: SqliteDatabase) {}

  delegation(runId: string, id: string): DelegationRecord | undefined {
    const row = this.database
      .prepare(
        `SELECT id, agent, status, stop_reason, summary, artifacts_json, turns, cost_usd, started_at, ended_at FROM delegations WHERE run_id = ? AND id = ?`,
      )
      .get(runId, id);
    return row === undefined ? undefined : delegationRecordSchema.parse(row);
  }

  /** A delegation's transcript in order, as it was sent to the model. */
  transcript(runId: string, delegationId: string): JournalMessage[] {
    const rows = this.database
      .prepare(
        `SELECT seq, role, content, tool_calls_json, tool_call_id FROM messages WHERE run_id = ? AND delegation_id = ? ORDER BY seq`,
      )
      .all(runId, delegationId);
    return rows.map((raw) => {
      const row = transcriptRowSchema.parse(raw);
      switch (row.role) {
        case 'assistant': {
          const calls =
            row.tool_calls_json === null
              ? undefined
              : z.array(storedToolCallSchema).parse(JSON.parse(row.tool_calls_json));
          return {
            role: 'assistant',
            content: row.content,
            ...(calls && calls.length > 0 ? { tool_calls: calls } : {}),
          };
        }
        case 'tool':
          return { role: 'tool', tool_call_id: row.tool_call_id ?? '', content: row.content ?? '' };
        default:
          return { role: row.role, content: row.content ?? '' };
      }
    });
  }

  toolCall(runId: string, id: string): ToolCallRecord | undefined {
    const raw = this.database
      .prepare(`SELECT result_text, reply_text, is_error, duration_ms FROM tool_calls WHERE run_id = ? AND id = ?`)
      .get(runId, id);
    if (raw === undefined) return undefined;
    const row = toolCallRecordSchema.parse(raw);
    return {
      completed: row.duration_ms !== null,
      replyText: row.reply_text ?? row.result_text,
      isError: row.is_error === 1,
    };
  }

  /** Every delegation of a run in the order they started, finished or not. */
  delegations(runId: string): DelegationOverview[] {
    return this.database
      .prepare(
        `SELECT id, parent_id, agent, depth, task, status, stop_reason, summary, artifacts_json, turns, cost_usd, started_at, ended_at
         FROM delegations WHERE run_id = ? ORDER BY started_at, rowid`,
      )
      .all(runId)
      .map((row) => delegationOverviewSchema.parse(row));
  }

  /** Tool calls started and never finished, in the order they started (until a resumed run settles each one). */
  unfinishedToolCalls(runId: string): ToolCallIntent[] {
    return this.database
      .prepare(
        `SELECT id, delegation_id, agent, turn, name, arguments_json, started_at FROM tool_calls WHERE run_id = ? AND duration_ms IS NULL ORDER BY started_at, rowid`,
      )
      .all(runId)
      .map((row) => toolCallIntentSchema.parse(row));
  }

  /** Usage of every model call that completed, to carry the run's totals and budgets across a restart. */
  completedModelCalls(runId: string): ModelUsageRow[] {
    return this.database
      .prepare(
        `SELECT agent, provider, model, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, cost_source FROM model_calls WHERE run_id = ? AND status = 'completed' ORDER BY id`,
      )
      .all(runId)
      .map((row) => modelUsageRowSchema.parse(row));
  }

  /** USD spent by a delegation's model calls and its sub-delegations' (their ids extend its id: d1 → d1.2.0). */
  delegationCost(runId: string, delegationId: string): number {
    const prefix = `${delegationId.replace(/[%_\\]/g, '\\$&')}.%`;
    const cost = this.database
      .prepare(
        `SELECT coalesce(sum(cost_usd), 0) AS cost FROM model_calls WHERE run_id = ? AND (delegation_id = ? OR delegation_id LIKE ? ESCAPE '\\')`,
      )
      .pluck()
      .get(runId, delegationId, prefix);
    return z.number().parse(cost);
  }

  /** The next event sequence number of a run (0 for a new one). */
  nextEventSeq(runId: string): number {
    const seq = z
      .number()
      .int()
      .nullable()
      .parse(this.database.prepare(`SELECT max(seq) AS seq FROM events WHERE run_id = ?`).pluck().get(runId));
    return seq === null ? 0 : seq + 1;
  }
}

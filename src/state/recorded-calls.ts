import { z } from 'zod';
import type { SqliteDatabase } from './database.js';
import { modelUsageRowSchema, toolCallIntentSchema } from './run-journal.js';

/** A model call as a recording needs it: its usage as the journal keeps it, and what was asked and answered. */
const recordedModelCallSchema = modelUsageRowSchema.extend({
  delegation_id: z.string(),
  turn: z.number().int(),
  response_model: z.string().nullable(),
  finish_reason: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  request_hash: z.string().nullable(),
  request_tools: z.string().nullable(),
  request_messages: z.number().int().nullable(),
});
export type RecordedModelCall = z.infer<typeof recordedModelCallSchema>;

/** A finished tool call as a recording needs it: the journal's intent and its result. */
const finishedToolCallSchema = toolCallIntentSchema.omit({ started_at: true }).extend({
  result_text: z.string().nullable(),
  is_error: z.number().int().nullable(),
});
export type FinishedToolCall = z.infer<typeof finishedToolCallSchema>;

/** Every model call of the run, in the order they were journaled, whatever became of it. */
export function recordedModelCalls(database: SqliteDatabase, runId: string): RecordedModelCall[] {
  return database
    .prepare(
      `SELECT delegation_id, agent, turn, provider, model, response_model, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_usd, cost_source,
              finish_reason, status, error, request_hash, request_tools, request_messages FROM model_calls WHERE run_id = ? ORDER BY id`,
    )
    .all(runId)
    .map((row) => recordedModelCallSchema.parse(row));
}

/** The run's tool calls whose outcome was journaled, in the order they started. */
export function finishedToolCalls(database: SqliteDatabase, runId: string): FinishedToolCall[] {
  return database
    .prepare(
      `SELECT id, delegation_id, agent, turn, name, arguments_json, result_text, is_error FROM tool_calls WHERE run_id = ? AND duration_ms IS NOT NULL ORDER BY started_at, rowid`,
    )
    .all(runId)
    .map((row) => finishedToolCallSchema.parse(row));
}

import { z } from 'zod';
import type { DelegationRow, MessageRow, RunDetails, RunSummary, ToolCallRow, UsageRow } from './run-queries.js';

/**
 * The rows run-queries reads, as zod schemas: a database another mux-swarm wrote is read as these shapes or refused
 * with the column at fault, never half-read.
 */

/** A runs row as selected: the phase standing as stored JSON, the unknown-cost models as COST_UNKNOWN_MODELS's JSON array. */
export type RunRow<Row> = Omit<Row, 'phases' | 'cost_unknown_models'> & {
  phases_json: string | null;
  cost_unknown_models: string;
};

const summaryColumns = {
  id: z.string(),
  goal_name: z.string(),
  goal_source: z.string(),
  mode: z.string(),
  status: z.string(),
  subtype: z.string().nullable(),
  exit_code: z.number().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  num_turns: z.number(),
  cost_usd: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  phases_json: z.string().nullable(),
  cost_unknown_models: z.string(),
};
export const runSummaryRowSchema: z.ZodType<RunRow<RunSummary>> = z.object(summaryColumns);
/** `SELECT *`: every column is kept (a later migration's too), as `runs show --json` prints them all. */
export const runDetailsRowSchema: z.ZodType<RunRow<RunDetails['run']>> = z.looseObject({
  ...summaryColumns,
  result: z.string().nullable(),
  goal_text: z.string(),
  hostname: z.string(),
});

export const usageRowSchema: z.ZodType<UsageRow> = z.object({
  key: z.string(),
  calls: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
  unknown_cost_calls: z.number(),
});
export const delegationRowSchema: z.ZodType<DelegationRow> = z.looseObject({
  id: z.string(),
  parent_id: z.string().nullable(),
  agent: z.string(),
  from_agent: z.string().nullable(),
  depth: z.number(),
  task: z.string(),
  status: z.string().nullable(),
  stop_reason: z.string().nullable(),
  summary: z.string().nullable(),
  artifacts_json: z.string().nullable(),
  turns: z.number(),
  cost_usd: z.number(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
export const toolCallRowSchema: z.ZodType<ToolCallRow> = z.looseObject({
  id: z.string(),
  delegation_id: z.string(),
  agent: z.string(),
  turn: z.number(),
  name: z.string(),
  arguments_json: z.string(),
  result_text: z.string().nullable(),
  is_error: z.number().nullable(),
  spilled_to: z.string().nullable(),
  started_at: z.string(),
  duration_ms: z.number().nullable(),
});
export const messageRowSchema: z.ZodType<MessageRow> = z.object({
  delegation_id: z.string(),
  seq: z.number(),
  role: z.string(),
  content: z.string().nullable(),
  tool_calls_json: z.string().nullable(),
  tool_call_id: z.string().nullable(),
});

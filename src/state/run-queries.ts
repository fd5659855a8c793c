import { z } from 'zod';
import type { PhaseStanding } from '../events/event-schema.js';
import type { SqliteDatabase } from './database.js';
import {
  delegationRowSchema,
  messageRowSchema,
  runDetailsRowSchema,
  runSummaryRowSchema,
  toolCallRowSchema,
  usageRowSchema,
  type RunRow,
} from './run-query-rows.js';

export interface RunSummary {
  id: string;
  goal_name: string;
  goal_source: string;
  mode: string;
  status: string;
  subtype: string | null;
  exit_code: number | null;
  started_at: string;
  ended_at: string | null;
  num_turns: number;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  /** `provider/model` of the calls whose cost no source knew (counted as 0 in cost_usd), sorted; empty when none. */
  cost_unknown_models: string[];
  /** Where the goal's phases stood by their checks when the run ended; null while it runs (and for runs before mux-swarm 0.2). */
  phases: PhaseStanding | null;
}

export interface DelegationRow {
  id: string;
  parent_id: string | null;
  agent: string;
  from_agent: string | null;
  depth: number;
  task: string;
  status: string | null;
  stop_reason: string | null;
  summary: string | null;
  artifacts_json: string | null;
  turns: number;
  cost_usd: number;
  started_at: string;
  ended_at: string | null;
}

export interface UsageRow {
  key: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  /** Calls among them whose cost no source knew (counted as 0 in cost_usd). */
  unknown_cost_calls: number;
}

export interface ToolCallRow {
  id: string;
  delegation_id: string;
  agent: string;
  turn: number;
  name: string;
  arguments_json: string;
  result_text: string | null;
  is_error: number | null;
  spilled_to: string | null;
  started_at: string;
  duration_ms: number | null;
}

export interface MessageRow {
  delegation_id: string;
  seq: number;
  role: string;
  content: string | null;
  tool_calls_json: string | null;
  tool_call_id: string | null;
}

export interface RunDetails {
  run: RunSummary & { result: string | null; goal_text: string; hostname: string };
  delegations: DelegationRow[];
  usageByAgent: UsageRow[];
  usageByModel: UsageRow[];
  toolCalls: ToolCallRow[];
}

/**
 * The models of a run with a call of unknown cost, read from the journal (`model_calls.cost_source`), so runs recorded
 * before the result said so, and resumed runs, are right too: a JSON array text, parsed by fromRow.
 */
const COST_UNKNOWN_MODELS = `(SELECT json_group_array(DISTINCT provider || '/' || model) FROM model_calls WHERE model_calls.run_id = runs.id AND cost_source = 'unknown') AS cost_unknown_models`;

export function listRuns(database: SqliteDatabase, limit = 20): RunSummary[] {
  const rows = database
    .prepare(
      `SELECT id, goal_name, goal_source, mode, status, subtype, exit_code, started_at, ended_at, num_turns, cost_usd, input_tokens, output_tokens, phases_json, ${COST_UNKNOWN_MODELS}
       FROM runs ORDER BY started_at DESC, id DESC LIMIT ?`,
    )
    .all(limit);
  return rows.map((row) => fromRow(runSummaryRowSchema.parse(row)));
}

/** The stored phase standing as an object (null when none was stored or it does not parse), the unknown-cost models as a sorted list. */
function fromRow<Row>({ phases_json: stored, cost_unknown_models: unknownCost, ...row }: RunRow<Row>): Row {
  let phases: PhaseStanding | null;
  try {
    phases = stored === null ? null : (JSON.parse(stored) as PhaseStanding);
  } catch {
    phases = null;
  }
  return { ...row, phases, cost_unknown_models: z.array(z.string()).parse(JSON.parse(unknownCost)).sort() } as Row;
}

/** The ids of the newest runs, newest first. */
export function newestRunIds(database: SqliteDatabase, limit: number): string[] {
  return z
    .array(z.string())
    .parse(database.prepare('SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT ?').pluck().all(limit));
}

/** Runs whose id starts with `prefix` (a unique prefix is enough to name a run). */
export function findRunIds(database: SqliteDatabase, prefix: string): string[] {
  return z.array(z.string()).parse(
    database
      .prepare(`SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id`)
      .pluck()
      .all(`${prefix.replace(/[%_\\]/g, '\\$&')}%`),
  );
}

export function getRunDetails(database: SqliteDatabase, runId: string): RunDetails | undefined {
  const row = database.prepare(`SELECT *, ${COST_UNKNOWN_MODELS} FROM runs WHERE id = ?`).get(runId);
  if (!row) return undefined;
  const run = fromRow(runDetailsRowSchema.parse(row));
  const usage = (column: string): UsageRow[] =>
    database
      .prepare(
        `SELECT ${column} AS key, COUNT(*) AS calls, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd,
           COUNT(CASE WHEN cost_source = 'unknown' THEN 1 END) AS unknown_cost_calls
         FROM model_calls WHERE run_id = ? GROUP BY ${column} ORDER BY ${column}`,
      )
      .all(runId)
      .map((usageRow) => usageRowSchema.parse(usageRow));
  return {
    run,
    delegations: database
      .prepare(`SELECT * FROM delegations WHERE run_id = ? ORDER BY started_at, rowid`)
      .all(runId)
      .map((delegation) => delegationRowSchema.parse(delegation)),
    usageByAgent: usage('agent'),
    usageByModel: usage(`provider || '/' || model`),
    toolCalls: database
      .prepare(`SELECT * FROM tool_calls WHERE run_id = ? ORDER BY started_at, rowid`)
      .all(runId)
      .map((toolCall) => toolCallRowSchema.parse(toolCall)),
  };
}

export function getTranscript(database: SqliteDatabase, runId: string): MessageRow[] {
  return database
    .prepare(
      `SELECT delegation_id, seq, role, content, tool_calls_json, tool_call_id FROM messages WHERE run_id = ? ORDER BY rowid`,
    )
    .all(runId)
    .map((row) => messageRowSchema.parse(row));
}

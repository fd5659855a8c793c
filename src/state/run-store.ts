import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from './database.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'interrupted';

export interface NewRun {
  id: string;
  goalName: string;
  goalSource: string;
  goalText: string;
  mode: string;
  settings: unknown;
  hostname: string;
  pid: number;
  startedAt: string;
}

export interface RunOutcome {
  status: RunStatus;
  subtype: string;
  exitCode: number;
  result: string;
  endedAt: string;
  numTurns: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export interface StoredMessage {
  role: string;
  content: string | null;
  toolCalls?: unknown;
  toolCallId?: string;
}

export interface ModelCallRecord {
  runId: string;
  delegationId: string;
  agent: string;
  turn: number;
  provider: string;
  model: string;
  responseModel?: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  costSource?: string;
  finishReason?: string | null;
  attempts?: number;
  startedAt: string;
  durationMs: number;
  error?: string;
}

/**
 * Writes everything a run does to the state database: the run row, delegations, every transcript message,
 * model calls with usage and cost, tool calls (a row when the call starts, completed with its outcome), and
 * the event stream. All text passes through the secret scrubber before it is stored.
 */
export class RunStore {
  constructor(
    readonly database: SqliteDatabase,
    private readonly scrubber?: SecretScrubber,
  ) {}

  private clean(text: string): string;
  private clean(text: string | null | undefined): string | null;
  private clean(text: string | null | undefined): string | null {
    if (text === null || text === undefined) return null;
    return this.scrubber ? this.scrubber.text(text) : text;
  }

  createRun(run: NewRun): void {
    this.database
      .prepare(
        `INSERT INTO runs (id, goal_name, goal_source, goal_text, mode, status, settings_json, hostname, pid, started_at)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      )
      .run(run.id, this.clean(run.goalName), run.goalSource, this.clean(run.goalText), run.mode, this.clean(JSON.stringify(run.settings)), run.hostname, run.pid, run.startedAt);
  }

  finishRun(runId: string, outcome: RunOutcome): void {
    this.database
      .prepare(
        `UPDATE runs SET status = ?, subtype = ?, exit_code = ?, result = ?, ended_at = ?, num_turns = ?, cost_usd = ?,
           input_tokens = ?, output_tokens = ? WHERE id = ?`,
      )
      .run(outcome.status, outcome.subtype, outcome.exitCode, this.clean(outcome.result), outcome.endedAt, outcome.numTurns, outcome.costUsd, outcome.inputTokens, outcome.outputTokens, runId);
  }

  startDelegation(record: { runId: string; id: string; parentId: string | null; agent: string; fromAgent: string | null; depth: number; task: string; startedAt: string }): void {
    this.database
      .prepare(`INSERT INTO delegations (run_id, id, parent_id, agent, from_agent, depth, task, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(record.runId, record.id, record.parentId, record.agent, record.fromAgent, record.depth, this.clean(record.task), record.startedAt);
  }

  finishDelegation(record: { runId: string; id: string; status: string; stopReason: string; summary: string; artifacts: string[]; turns: number; costUsd: number; endedAt: string }): void {
    this.database
      .prepare(`UPDATE delegations SET status = ?, stop_reason = ?, summary = ?, artifacts_json = ?, turns = ?, cost_usd = ?, ended_at = ? WHERE run_id = ? AND id = ?`)
      .run(record.status, record.stopReason, this.clean(record.summary), JSON.stringify(record.artifacts), record.turns, record.costUsd, record.endedAt, record.runId, record.id);
  }

  appendMessage(runId: string, delegationId: string, seq: number, message: StoredMessage, createdAt: string): void {
    this.database
      .prepare(`INSERT INTO messages (run_id, delegation_id, seq, role, content, tool_calls_json, tool_call_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(runId, delegationId, seq, message.role, this.clean(message.content), message.toolCalls === undefined ? null : this.clean(JSON.stringify(message.toolCalls)), message.toolCallId ?? null, createdAt);
  }

  recordModelCall(call: ModelCallRecord): void {
    this.database
      .prepare(
        `INSERT INTO model_calls (run_id, delegation_id, agent, turn, provider, model, response_model, input_tokens, output_tokens,
           cached_input_tokens, reasoning_tokens, cost_usd, cost_source, finish_reason, attempts, started_at, duration_ms, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        call.runId, call.delegationId, call.agent, call.turn, call.provider, call.model, call.responseModel ?? null, call.inputTokens, call.outputTokens,
        call.cachedInputTokens, call.reasoningTokens, call.costUsd, call.costSource ?? null, call.finishReason ?? null, call.attempts ?? null,
        call.startedAt, call.durationMs, this.clean(call.error),
      );
  }

  startToolCall(record: { runId: string; id: string; delegationId: string; agent: string; turn: number; modelCallId: string; name: string; argumentsJson: string; startedAt: string }): void {
    this.database
      .prepare(`INSERT INTO tool_calls (id, run_id, delegation_id, agent, turn, model_call_id, name, arguments_json, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(record.id, record.runId, record.delegationId, record.agent, record.turn, record.modelCallId, record.name, this.clean(record.argumentsJson), record.startedAt);
  }

  finishToolCall(record: { runId: string; id: string; resultText: string; isError: boolean; spilledTo?: string; durationMs: number }): void {
    this.database
      .prepare(`UPDATE tool_calls SET result_text = ?, is_error = ?, spilled_to = ?, duration_ms = ? WHERE run_id = ? AND id = ?`)
      .run(this.clean(record.resultText), record.isError ? 1 : 0, record.spilledTo ?? null, record.durationMs, record.runId, record.id);
  }

  /** Events arrive already scrubbed by the event bus. */
  appendEvent(event: { run_id: string; seq: number; type: string; agent: string }): void {
    this.database.prepare(`INSERT INTO events (run_id, seq, type, agent, json) VALUES (?, ?, ?, ?, ?)`).run(event.run_id, event.seq, event.type, event.agent, JSON.stringify(event));
  }

  close(): void {
    if (this.database.open) this.database.close();
  }
}

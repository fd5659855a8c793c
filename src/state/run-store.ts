import type { PhaseStanding } from '../events/event-schema.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type Database from 'better-sqlite3';
import { DATABASE_FILE, openDatabase, type SqliteDatabase } from './database.js';
import { JournalSync, type WalSyncCalls } from './journal-sync.js';
import { ModelFailovers, type FailoverRecord } from './model-failovers.js';
import { RunJournal } from './run-journal.js';

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
  /** The goal's phases as their checks stood at the end. */
  phases?: PhaseStanding;
}

export interface StoredMessage {
  role: string;
  content: string | null;
  toolCalls?: unknown;
  toolCallId?: string;
}

export interface ModelCallIntent {
  runId: string;
  delegationId: string;
  agent: string;
  turn: number;
  provider: string;
  model: string;
  startedAt: string;
}

export interface ModelCallOutcome {
  /** The entry of the agent's failover chain that answered, when it is not the one the intent named. */
  answeredBy?: { provider: string; model: string };
  responseModel?: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  costSource?: string;
  finishReason?: string | null;
  attempts?: number;
  durationMs: number;
}

/** A transcript message and its place: the delegation's transcript, position `seq`. */
export interface PlacedMessage {
  runId: string;
  delegationId: string;
  seq: number;
  message: StoredMessage;
  createdAt: string;
}

/**
 * Writes everything a run does to the state database: the run row, delegations, every transcript message,
 * model calls with usage and cost, tool calls (a row when the call starts, completed with its outcome), and
 * the event stream. All text passes through the secret scrubber before it is stored.
 */
export class RunStore {
  /** Reads the journal back (to resume a run). */
  readonly journal: RunJournal;
  /** The failover chains' journal: moves off an entry, the cooldowns a resume restores. */
  readonly failovers: ModelFailovers;

  /** Statements prepared once: a turn runs the same handful of them again and again. */
  readonly #statements = new Map<string, Database.Statement>();

  /** `sync`: the run's journal puts its WAL on disk itself (see JournalSync); without it, every commit is FULL. */
  constructor(
    readonly database: SqliteDatabase,
    private readonly scrubber?: SecretScrubber,
    private readonly sync?: JournalSync,
  ) {
    this.journal = new RunJournal(database);
    this.failovers = new ModelFailovers(database);
  }

  /** The journal of a run in progress: commits are synced off the event loop, and `durable()` says when they are on disk. */
  static openJournal(stateDirectory: string, scrubber?: SecretScrubber, walSync?: WalSyncCalls): RunStore {
    const database = openDatabase(stateDirectory, DATABASE_FILE, { syncedByCaller: true });
    return new RunStore(database, scrubber, new JournalSync(database, walSync));
  }

  /** Resolves once everything written so far is on disk: awaited before an action a crash must not repeat. */
  durable(): Promise<void> {
    return this.sync === undefined ? Promise.resolve() : this.sync.durable();
  }

  /** Runs a cached statement and schedules the WAL's sync. */
  #write(sql: string, ...parameters: unknown[]): Database.RunResult {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    const result = statement.run(...parameters);
    this.sync?.soon();
    return result;
  }

  /** Journals a move off a chain entry; its reason is scrubbed like every stored text. */
  recordFailover(record: FailoverRecord): void {
    this.failovers.record({ ...record, reason: this.clean(record.reason) });
  }

  private clean(text: string): string;
  private clean(text: string | null | undefined): string | null;
  private clean(text: string | null | undefined): string | null {
    if (text === null || text === undefined) return null;
    return this.scrubber ? this.scrubber.text(text) : text;
  }

  /** A run picked up again after a crash or stop: running once more, its old outcome cleared. */
  reopenRun(runId: string): void {
    this.#write(
      `UPDATE runs SET status = 'running', subtype = NULL, exit_code = NULL, result = NULL, ended_at = NULL, phases_json = NULL WHERE id = ?`,
      runId,
    );
  }

  createRun(run: NewRun): void {
    // The composition root records the run before it takes its lock; the driver then fills in the settings.
    this.#write(
      `INSERT INTO runs (id, goal_name, goal_source, goal_text, mode, status, settings_json, hostname, pid, started_at)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET mode = excluded.mode, settings_json = excluded.settings_json, hostname = excluded.hostname, pid = excluded.pid`,
      run.id,
      this.clean(run.goalName),
      run.goalSource,
      this.clean(run.goalText),
      run.mode,
      this.clean(JSON.stringify(run.settings)),
      run.hostname,
      run.pid,
      run.startedAt,
    );
  }

  /** The outcome is on disk when this returns: the run's result is reported only after. */
  finishRun(runId: string, outcome: RunOutcome): void {
    this.#write(
      `UPDATE runs SET status = ?, subtype = ?, exit_code = ?, result = ?, ended_at = ?, num_turns = ?, cost_usd = ?,
         input_tokens = ?, output_tokens = ?, phases_json = ? WHERE id = ?`,
      outcome.status,
      outcome.subtype,
      outcome.exitCode,
      this.clean(outcome.result),
      outcome.endedAt,
      outcome.numTurns,
      outcome.costUsd,
      outcome.inputTokens,
      outcome.outputTokens,
      outcome.phases === undefined ? null : this.clean(JSON.stringify(outcome.phases)),
      runId,
    );
    this.sync?.syncNow();
  }

  startDelegation(record: {
    runId: string;
    id: string;
    parentId: string | null;
    agent: string;
    fromAgent: string | null;
    depth: number;
    task: string;
    startedAt: string;
  }): void {
    this.#write(
      `INSERT INTO delegations (run_id, id, parent_id, agent, from_agent, depth, task, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      record.runId,
      record.id,
      record.parentId,
      record.agent,
      record.fromAgent,
      record.depth,
      this.clean(record.task),
      record.startedAt,
    );
  }

  finishDelegation(record: {
    runId: string;
    id: string;
    status: string;
    stopReason: string;
    summary: string;
    artifacts: string[];
    turns: number;
    costUsd: number;
    endedAt: string;
  }): void {
    this.#write(
      `UPDATE delegations SET status = ?, stop_reason = ?, summary = ?, artifacts_json = ?, turns = ?, cost_usd = ?, ended_at = ? WHERE run_id = ? AND id = ?`,
      record.status,
      record.stopReason,
      this.clean(record.summary),
      JSON.stringify(record.artifacts),
      record.turns,
      record.costUsd,
      record.endedAt,
      record.runId,
      record.id,
    );
  }

  /** Appends transcript messages in one transaction (a turn's tool results land together or not at all). */
  appendMessages(messages: readonly PlacedMessage[]): void {
    this.database.transaction(() => {
      for (const placed of messages) this.insertMessage(placed);
    })();
  }

  private insertMessage({ runId, delegationId, seq, message, createdAt }: PlacedMessage): void {
    this.#write(
      `INSERT INTO messages (run_id, delegation_id, seq, role, content, tool_calls_json, tool_call_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      runId,
      delegationId,
      seq,
      message.role,
      this.clean(message.content),
      message.toolCalls === undefined ? null : this.clean(JSON.stringify(message.toolCalls)),
      message.toolCallId ?? null,
      createdAt,
    );
  }

  /** Journals a model call before it is made; returns its row id for the outcome. */
  startModelCall(intent: ModelCallIntent): number {
    const result = this.#write(
      `INSERT INTO model_calls (run_id, delegation_id, agent, turn, provider, model, requested_provider, requested_model, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'started')`,
      intent.runId,
      intent.delegationId,
      intent.agent,
      intent.turn,
      intent.provider,
      intent.model,
      intent.provider,
      intent.model,
      intent.startedAt,
    );
    return Number(result.lastInsertRowid);
  }

  /** The call's usage and cost and the reply it produced, committed together: a reply is never billed twice or lost. */
  finishModelCall(id: number, outcome: ModelCallOutcome, reply: PlacedMessage): void {
    this.database.transaction(() => {
      this.#write(
        `UPDATE model_calls SET status = 'completed', response_model = ?, input_tokens = ?, output_tokens = ?, cached_input_tokens = ?,
           reasoning_tokens = ?, cost_usd = ?, cost_source = ?, finish_reason = ?, attempts = ?, duration_ms = ? WHERE id = ?`,
        outcome.responseModel ?? null,
        outcome.inputTokens,
        outcome.outputTokens,
        outcome.cachedInputTokens,
        outcome.reasoningTokens,
        outcome.costUsd,
        outcome.costSource ?? null,
        outcome.finishReason ?? null,
        outcome.attempts ?? null,
        outcome.durationMs,
        id,
      );
      if (outcome.answeredBy)
        this.#write(
          'UPDATE model_calls SET provider = ?, model = ? WHERE id = ?',
          outcome.answeredBy.provider,
          outcome.answeredBy.model,
          id,
        );
      this.insertMessage(reply);
    })();
  }

  /** Model calls a crash cut off (an intent, no reply): marked failed, so a resumed run asks again and totals stay right. */
  closeInterruptedModelCalls(runId: string): number {
    return this.#write(
      `UPDATE model_calls SET status = 'failed', error = 'interrupted: mux-swarm stopped before the reply was recorded; asked again on resume' WHERE run_id = ? AND status = 'started'`,
      runId,
    ).changes;
  }

  failModelCall(id: number, error: string, durationMs: number): void {
    this.#write(
      `UPDATE model_calls SET status = 'failed', error = ?, duration_ms = ? WHERE id = ?`,
      this.clean(error),
      durationMs,
      id,
    );
  }

  startToolCall(record: {
    runId: string;
    id: string;
    delegationId: string;
    agent: string;
    turn: number;
    modelCallId: string;
    name: string;
    argumentsJson: string;
    startedAt: string;
  }): void {
    // A call a restart interrupted and that is run again keeps its key: the intent is renewed.
    this.#write(
      `INSERT INTO tool_calls (id, run_id, delegation_id, agent, turn, model_call_id, name, arguments_json, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, id) DO UPDATE SET started_at = excluded.started_at, result_text = NULL, reply_text = NULL, is_error = NULL, duration_ms = NULL`,
      record.id,
      record.runId,
      record.delegationId,
      record.agent,
      record.turn,
      record.modelCallId,
      record.name,
      this.clean(record.argumentsJson),
      record.startedAt,
    );
  }

  /** `replyText` is what the model was shown (a preview and a path when the result was spilled to a file). */
  finishToolCall(record: {
    runId: string;
    id: string;
    resultText: string;
    replyText: string;
    isError: boolean;
    spilledTo?: string;
    durationMs: number;
  }): void {
    this.#write(
      `UPDATE tool_calls SET result_text = ?, reply_text = ?, is_error = ?, spilled_to = ?, duration_ms = ? WHERE run_id = ? AND id = ?`,
      this.clean(record.resultText),
      this.clean(record.replyText),
      record.isError ? 1 : 0,
      record.spilledTo ?? null,
      record.durationMs,
      record.runId,
      record.id,
    );
  }

  /** Events arrive already scrubbed by the event bus. */
  appendEvent(event: { run_id: string; seq: number; type: string; agent: string }): void {
    this.#write(
      `INSERT INTO events (run_id, seq, type, agent, json) VALUES (?, ?, ?, ?, ?)`,
      event.run_id,
      event.seq,
      event.type,
      event.agent,
      JSON.stringify(event),
    );
  }

  close(): void {
    if (!this.database.open) return;
    this.sync?.close();
    this.database.close();
  }
}

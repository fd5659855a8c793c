import type { Goal } from '../config/load-goal.js';
import type { AgentDefinition } from '../config/load-swarm.js';
import type { Limits } from '../config/swarm-schema.js';
import type { EventBus } from '../events/event-bus.js';
import { RUNTIME_AGENT } from '../events/event-schema.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ChatModel, ChatResponse } from '../providers/chat-types.js';
import type { SqliteDatabase } from '../state/database.js';
import type { RunStore } from '../state/run-store.js';
import type { ToolHub } from '../tools/tool-hub.js';
import { RunStoppedError, type StopReason } from '../errors/run-stopped-error.js';
import { TrainingNotices } from './training-notices.js';
import { FailureTracker } from '../failures/tracker/failure-tracker.js';
import { readLogRange } from '../servers/training/log-line-reader.js';
import type { FailureMemory } from '../failures/failure-memory.js';
import { UsageTracker } from './usage-tracker.js';
import type { GoalEvaluation } from './phases/evaluate-phase-conditions.js';
import type { GpuDiscovery } from '../hardware/gpu-discovery.js';
import type { LoopExchangeOpener } from './loop/loop-exchange.js';
import { RunActivity } from './run-activity.js';
import type { Completion } from './runtime-tool.js';
import { RunPulse } from './run-pulse.js';

export interface RunDependencies {
  runId: string;
  workdir: string;
  /** Absolute directory of this run's files (spilled results, logs). */
  runDirectory: string;
  goal: Goal;
  mode: 'hierarchical' | 'flat';
  orchestrator: AgentDefinition;
  /** Specialists in play for this run. */
  agents: AgentDefinition[];
  flatOrder: string[];
  limits: Limits;
  hub: ToolHub;
  /** The chat model an agent talks to. */
  modelFor: (agent: AgentDefinition) => ChatModel;
  events: EventBus;
  store: RunStore;
  /**
   * The process's secret scrubber: every tool result is scrubbed by it once, before it is journaled, spilled to a
   * file, emitted or sent to a model. Absent: tool results are not scrubbed (tests that plant no secret).
   */
  scrubber?: SecretScrubber;
  now?: () => number;
  /** Names of the config.json entries that are built-in training servers: their agents are told when a job ends. */
  trainingServers?: readonly string[];
  /** The machine's GPUs, for the init event. */
  gpus?: GpuDiscovery;
  /** Failure memory: failures are fingerprinted and answered with known fixes, fixes recorded (absent: not used). */
  failureMemory?: { memory: FailureMemory; scrub: (text: string) => string };
  /**
   * The user store's database (memory.db) whose knowledge graph the recovery report reads with the workdir's: the
   * connection the run's failure memory already holds. Absent: the workdir's graph alone (memory.shareGraph "none",
   * memory.shareWithUserStore false, or no user store).
   */
  userMemoryGraph?: SqliteDatabase;
  /** Called once the work is over, before the result is counted and announced: e.g. closes the tool hub, so training jobs stopped then are in the result. */
  beforeResult?: () => Promise<void>;
  /** A goal with `loop:` shares with other nodes through this (run --hub / --remote); absent: the loop stays local. */
  loopExchange?: LoopExchangeOpener;
  /**
   * `replay --tools recorded`: answers a tool call from a recording instead of running it (undefined: it runs).
   * Called with the call's journal id (delegation.turn.index), its name and parsed arguments.
   */
  toolStandIn?: (call: {
    journalId: string;
    name: string;
    input: Record<string, unknown>;
  }) => Promise<{ text: string; isError: boolean; completion?: Completion }> | undefined;
  /** How often a `heartbeat` is emitted while a model or tool call is in flight (default 30 s; shorter in tests). */
  pulseIntervalMs?: number;
}

const WARNING_FRACTION = 0.8;

/**
 * Everything one run shares across its agents: dependencies, the stop switch (turn, budget and time limits,
 * interruption) and usage totals.
 */
export class RunContext {
  readonly usage = new UsageTracker();
  /** The goal's phases as a completion's goal check last evaluated them: the run's end reuses it after a success. */
  latestGoalEvaluation: GoalEvaluation | undefined;
  /** Failures and their fixes, remembered across runs; undefined when the run has no failure memory. */
  readonly failures: FailureTracker | undefined;
  /** Training jobs that ended, as messages for the agents concerned. */
  readonly notices: TrainingNotices;
  /** The model and tool calls in flight, for the signs of life (`heartbeat`, text mode's waiting line). */
  readonly activity: RunActivity;
  private readonly pulse: RunPulse;
  private readonly controller = new AbortController();
  private stopped: RunStoppedError | undefined;
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private warningTimer: NodeJS.Timeout | undefined;
  readonly startedAt: number;
  /** Time the run was worked on before this process picked it up (zero for a new run). */
  private previouslyActiveMs = 0;

  constructor(readonly dependencies: RunDependencies) {
    this.startedAt = this.now();
    const failureMemory = dependencies.failureMemory;
    this.failures =
      failureMemory === undefined
        ? undefined
        : new FailureTracker({
            ...failureMemory,
            database: dependencies.store.database,
            runId: dependencies.runId,
            workdir: dependencies.workdir,
            events: dependencies.events,
            readLog: readLogRange,
            now: () => new Date(this.now()),
          });
    this.notices = new TrainingNotices(dependencies.events, (event) => this.failures?.afterTrainingEnd(event) ?? '');
    this.activity = new RunActivity(() => this.now());
    this.pulse = new RunPulse(this.activity, dependencies.events, dependencies.pulseIntervalMs);
  }

  /** A resumed run: its earlier model calls count towards totals and budgets, its earlier time towards the time limit. */
  restore(journal: { usage: Parameters<UsageTracker['restore']>[0]; previouslyActiveMs: number }): void {
    this.usage.restore(journal.usage);
    this.previouslyActiveMs = journal.previouslyActiveMs;
  }

  get runId(): string {
    return this.dependencies.runId;
  }

  get events(): EventBus {
    return this.dependencies.events;
  }

  get store(): RunStore {
    return this.dependencies.store;
  }

  get limits(): Limits {
    return this.dependencies.limits;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopError(): RunStoppedError | undefined {
    return this.stopped;
  }

  now(): number {
    return this.dependencies.now?.() ?? Date.now();
  }

  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  agent(name: string): AgentDefinition | undefined {
    if (name === this.dependencies.orchestrator.name) return this.dependencies.orchestrator;
    return this.dependencies.agents.find((agent) => agent.name === name);
  }

  /** Starts the wall-clock limit, when there is one. */
  startClock(): void {
    const timeout = this.limits.timeout;
    if (timeout === undefined) return;
    const remaining = Math.max(0, timeout - this.previouslyActiveMs);
    this.timer = setTimeout(() => this.stop('timeout', `${Math.round(timeout / 1000)}s`), remaining);
    this.warningTimer = setTimeout(
      () => this.warnNear('time', this.previouslyActiveMs + this.now() - this.startedAt, timeout),
      Math.max(0, timeout * WARNING_FRACTION - this.previouslyActiveMs),
    );
    this.timer.unref();
    this.warningTimer.unref();
  }

  /** Starts the `heartbeat` events; they stop when the run is disposed (not when it is stopped: it may still wait). */
  startPulse(): void {
    this.pulse.start();
  }

  /** Stops the run: every agent stops at its next step and in-flight model and tool calls are cancelled. */
  stop(reason: StopReason, detail?: string, explanation?: string): void {
    if (this.stopped) return;
    this.stopped = new RunStoppedError(reason, detail, explanation);
    this.clearTimers();
    this.controller.abort(this.stopped);
  }

  throwIfStopped(): void {
    if (this.stopped) throw this.stopped;
  }

  /** Counts a model turn against the run's limit; throws when the run must stop instead. */
  beginModelTurn(): void {
    this.throwIfStopped();
    if (this.usage.turns >= this.limits.maxTurns) {
      this.stop('max_turns', `${this.limits.maxTurns} turns`);
      this.throwIfStopped();
    }
    this.usage.turns += 1;
    this.warnNear('turns', this.usage.turns, this.limits.maxTurns);
  }

  /**
   * Adds a model call's usage and cost, then enforces the USD and token budgets. Under a USD budget, a call whose cost
   * no source knew stops the run as the budget would: it cannot be enforced on calls that count $0.
   */
  recordModelUsage(agent: string, response: ChatResponse, requestedModel: string): void {
    this.usage.record(agent, response, requestedModel);
    const totals = this.usage.totals();
    const tokens = totals.input_tokens + totals.output_tokens;
    const { maxTokens, maxBudgetUsd } = this.limits;
    if (maxBudgetUsd !== undefined && response.costSource === 'unknown') {
      const model = `${response.provider}/${requestedModel}`;
      this.stop(
        'max_budget_usd',
        `cost of ${model} unknown`,
        `the cost of a call to ${model} is unknown (the provider reported none and no price is known), so the USD budget of $${maxBudgetUsd.toLocaleString('en-US', { maximumFractionDigits: 10, useGrouping: false })} cannot be enforced; ` +
          'give the model a price ("prices" in config.json, "free": true on a local provider, or a "catalogue" provider id; see docs/providers.md) or run without a USD budget',
      );
    }
    this.checkUsdBudget();
    if (maxTokens !== undefined) {
      this.warnNear('tokens', tokens, maxTokens);
      if (tokens >= maxTokens) this.stop('max_tokens', `${tokens} of ${maxTokens} tokens`);
    }
  }

  /** The run's GPU time and cost, counted again; the cost counts towards the USD budget. */
  recordGpuTime(seconds: number, costUsd: number): void {
    this.usage.setGpuTime(seconds, costUsd);
    this.checkUsdBudget();
  }

  private checkUsdBudget(): void {
    const { maxBudgetUsd } = this.limits;
    if (maxBudgetUsd === undefined) return;
    const cost = this.usage.totals().cost_usd;
    this.warnNear('usd', cost, maxBudgetUsd);
    if (cost >= maxBudgetUsd) this.stop('max_budget_usd', `$${cost.toFixed(4)} of $${maxBudgetUsd}`);
  }

  private warnNear(budget: 'usd' | 'tokens' | 'turns' | 'time', used: number, limit: number): void {
    if (used < limit * WARNING_FRACTION || this.warned.has(budget)) return;
    this.warned.add(budget);
    this.events.emit({ type: 'budget-warning', agent: RUNTIME_AGENT, budget, used, limit });
  }

  dispose(): void {
    this.clearTimers();
    this.pulse.stop();
  }

  private clearTimers(): void {
    clearTimeout(this.timer);
    clearTimeout(this.warningTimer);
  }
}

import { z } from 'zod';

/**
 * The one typed stream every surface is fed from: NDJSON on stdout (`--output-format stream-json`), the human
 * renderer on stderr, the `events` table. Envelopes follow the convention of headless coding agents
 * (`system`/`init`, `assistant`, `user` tool results, final `result`); our own events are noun-verb.
 * Every event carries `run_id` (also as `session_id`), `agent` and a monotonic `seq`.
 */

/** Events that are not about one agent carry this name (defined without zod, for the CLI's light start-up). */
export { RUNTIME_AGENT } from './runtime-agent.js';

const base = {
  seq: z.number().int().nonnegative(),
  run_id: z.string(),
  session_id: z.string(),
  agent: z.string(),
  timestamp: z.string(),
};

export const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative(),
  reasoning_tokens: z.number().int().nonnegative(),
});
export type EventUsage = z.infer<typeof usageSchema>;

const usageTotalsSchema = usageSchema.extend({
  cost_usd: z.number().nonnegative(),
  calls: z.number().int().nonnegative(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

export const initEventSchema = z.object({
  ...base,
  type: z.literal('system'),
  subtype: z.literal('init'),
  cwd: z.string(),
  mode: z.enum(['hierarchical', 'flat']),
  /** The orchestrator's model (flat mode: the first specialist's). */
  model: z.string(),
  goal: z.object({ name: z.string(), source: z.string() }),
  agents: z.array(
    z.object({
      name: z.string(),
      role: z.enum(['orchestrator', 'specialist']),
      provider: z.string(),
      model: z.string(),
      /** The agent's failover chain (`provider/model`, first entry first), when it has more than one model. */
      failover_chain: z.array(z.string()).optional(),
      tools: z.array(z.string()),
      can_delegate_to: z.array(z.string()),
    }),
  ),
  tools: z.array(z.string()),
  mcp_servers: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['connected', 'restarting', 'failed', 'disabled']),
      tools: z.number().int(),
      error: z.string().optional(),
    }),
  ),
  limits: z.record(z.string(), z.number().nullable()),
  /** Present when a run is picked up again after a crash, restart or stop: the session number (2 = first resume). */
  resumed_session: z.number().int().optional(),
  /** The machine's GPUs as discovery found them (nvidia-smi, amd-smi, rocm-smi), or why none was found. */
  gpus: z
    .object({
      source: z.string(),
      note: z.string().optional(),
      devices: z.array(
        z.object({
          index: z.number().int(),
          name: z.string(),
          memory_total_mib: z.number().optional(),
          memory_used_mib: z.number().optional(),
          driver: z.string().optional(),
        }),
      ),
    })
    .optional(),
});

export const warningEventSchema = z.object({
  ...base,
  type: z.literal('system'),
  subtype: z.literal('warning'),
  message: z.string(),
});

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  name: z.string(),
  content: z.string(),
  is_error: z.boolean(),
  duration_ms: z.number().nonnegative(),
  /** Set when the full result was written to a file and `content` is a preview. */
  spilled_to: z.string().optional(),
});

export const assistantEventSchema = z.object({
  ...base,
  type: z.literal('assistant'),
  delegation_id: z.string(),
  turn: z.number().int().positive(),
  message: z.object({
    role: z.literal('assistant'),
    model: z.string(),
    content: z.array(z.union([textBlock, toolUseBlock])),
  }),
  usage: usageSchema,
  cost_usd: z.number().nonnegative(),
});

export const userEventSchema = z.object({
  ...base,
  type: z.literal('user'),
  delegation_id: z.string(),
  message: z.object({ role: z.literal('user'), content: z.array(toolResultBlock) }),
});

export const delegationStartEventSchema = z.object({
  ...base,
  type: z.literal('delegation-start'),
  delegation_id: z.string(),
  parent_delegation_id: z.string().nullable(),
  from: z.string(),
  depth: z.number().int().nonnegative(),
  task: z.string(),
});

/** How a delegation ended: as its agent completed it, or `stuck` when the runtime ended it for making no progress. */
export const agentStatusSchema = z.enum(['success', 'failure', 'partial', 'stuck']);

export const delegationEndEventSchema = z.object({
  ...base,
  type: z.literal('delegation-end'),
  delegation_id: z.string(),
  status: agentStatusSchema,
  stop_reason: z.enum(['completed', 'max_turns', 'no_completion', 'error', 'stuck']),
  summary: z.string(),
  artifacts: z.array(z.string()),
  turns: z.number().int().nonnegative(),
  duration_ms: z.number().nonnegative(),
  cost_usd: z.number().nonnegative(),
});

export const modelRetryEventSchema = z.object({
  ...base,
  type: z.literal('model-retry'),
  provider: z.string(),
  model: z.string(),
  /** The attempt about to start: 2 for the first retry. */
  attempt: z.number().int().positive(),
  delay_ms: z.number().nonnegative(),
  reason: z.string(),
});

/** A call moved off an entry of the agent's failover chain (docs/failover.md). */
export const modelFailoverEventSchema = z.object({
  ...base,
  type: z.literal('model-failover'),
  delegation_id: z.string(),
  /** `provider/model` of the entry that failed. */
  from: z.string(),
  /** The entry asked next; null when none was left. */
  to: z.string().nullable(),
  kind: z.enum(['outage', 'auth', 'model-not-found', 'context-length', 'other']),
  reason: z.string(),
  /** Until when the entry is passed over (ISO time); null: for the rest of this session (a refused key). */
  cooled_until: z.string().nullable(),
});

export const budgetWarningEventSchema = z.object({
  ...base,
  type: z.literal('budget-warning'),
  budget: z.enum(['usd', 'tokens', 'turns', 'time']),
  used: z.number(),
  limit: z.number(),
});

export const phaseStateSchema = z.enum(['done', 'not-done', 'unchecked']);

/** Where the goal's phases stand by their "Done when" checks: in the `result` event, `runs`, `show` and the report. */
export const phaseStandingSchema = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Phases without a "Done when" list (a goal without phase headings is one unchecked phase). */
  unchecked: z.number().int().nonnegative(),
  /** The first condition that does not hold, in phase order; null when every checked phase is done. */
  first_unmet: z
    .object({
      phase: z.number().int().positive(),
      title: z.string(),
      line: z.number().int().positive(),
      text: z.string(),
      detail: z.string(),
    })
    .nullable(),
});
export type PhaseStanding = z.infer<typeof phaseStandingSchema>;

/** Phase 0 of every start: each phase as its "Done when" checks judge it now, and where the recovery report is. */
export const phaseReportEventSchema = z.object({
  ...base,
  type: z.literal('phase-report'),
  phases: z.array(
    z.object({
      number: z.number().int().positive(),
      title: z.string(),
      state: phaseStateSchema,
      /** The first condition that does not hold (phases not done only): its line in the goal file, its text, what was found. */
      first_unmet: z.object({ line: z.number().int().positive(), text: z.string(), detail: z.string() }).optional(),
    }),
  ),
  /** Every phase has checks and all hold: the run ends at once, with success, without calling a model. */
  goal_complete: z.boolean(),
  /** The report's markdown file, relative to the workdir (absolute when the state directory lies outside it). */
  report_path: z.string(),
});

export const STUCK_PATTERNS = ['repeated_call', 'repeated_refusal', 'no_progress'] as const;

/**
 * An agent makes no progress: the same call with the same result again and again, the same refused completion, or
 * turns without a new result. `warned`: the runtime told the agent; `ended`: it went on, and its delegation ended `stuck`.
 */
export const stuckEventSchema = z.object({
  ...base,
  type: z.literal('stuck'),
  delegation_id: z.string(),
  pattern: z.enum(STUCK_PATTERNS),
  action: z.enum(['warned', 'ended']),
  /** What it repeats, e.g. "shell__run_command {\"command\":\"ls\"} answered the same 3 times in a row". */
  detail: z.string(),
  /** Turns of the agent's task so far. */
  turn: z.number().int().nonnegative(),
});

export const TRAINING_CLASSIFICATIONS = [
  'success',
  'python_exception',
  'cuda_oom',
  'killed',
  'stalled',
  'stopped',
  'timed_out',
  'failed',
  'unknown',
] as const;
export const trainingClassificationSchema = z.enum(TRAINING_CLASSIFICATIONS);
export type TrainingClassification = z.infer<typeof trainingClassificationSchema>;

/** A training job was started by the training server, or re-attached after mux-swarm restarted. */
export const trainingStartEventSchema = z.object({
  ...base,
  type: z.literal('training-start'),
  job_id: z.string(),
  name: z.string().optional(),
  command: z.string(),
  cwd: z.string(),
  log_file: z.string(),
  reattached: z.boolean(),
});

/** What a trainer reported through the progress protocol (docs/training-protocol.md); throttled per job. */
export const trainingProgressEventSchema = z.object({
  ...base,
  type: z.literal('training-progress'),
  job_id: z.string(),
  name: z.string().optional(),
  /** The protocol event that triggered this one: log, eval, checkpoint, start, stopping, done, … */
  event: z.string(),
  step: z.number().nullable(),
  total_steps: z.number().nullable(),
  /** The latest value of every numeric metric reported so far (loss, learning_rate, eval_loss, …). */
  metrics: z.record(z.string(), z.number()),
  checkpoint: z.string().optional(),
});

/** A training job ended, and how: what the orchestrator and monitor act on. */
export const trainingEndEventSchema = z.object({
  ...base,
  type: z.literal('training-end'),
  job_id: z.string(),
  name: z.string().optional(),
  classification: trainingClassificationSchema,
  /** One line: what happened, e.g. "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length' (train.py:88)". */
  summary: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  runtime_ms: z.number().nonnegative(),
  last_step: z.number().nullable(),
  /** The last checkpoint the trainer reported, if any. */
  checkpoint: z.string().optional(),
  exception: z.object({ type: z.string(), message: z.string(), frame: z.string().optional() }).optional(),
  gpu_cost_usd: z.number().nonnegative(),
  log_file: z.string(),
});

/** One model or tool call the run is waiting for, as a `heartbeat` names it. */
export const inFlightCallSchema = z.object({
  agent: z.string(),
  delegation_id: z.string(),
  kind: z.enum(['model', 'tool']),
  /** Model calls: `provider/model`. */
  model: z.string().optional(),
  /** Tool calls: the name the model called (`server__tool`, or the runtime's `complete`). */
  tool: z.string().optional(),
  elapsed_ms: z.number().nonnegative(),
  /** Streaming model calls: the tokens received so far, estimated from their characters (about 4 a token). */
  tokens_streamed: z.number().int().nonnegative().optional(),
});
export type InFlightCall = z.infer<typeof inFlightCallSchema>;

/** A sign of life while the run waits: emitted every 30 s while at least one model or tool call is in flight. */
export const heartbeatEventSchema = z.object({
  ...base,
  type: z.literal('heartbeat'),
  /** Longest-waiting first. */
  in_flight: z.array(inFlightCallSchema).min(1),
});

export const resultSubtypeSchema = z.enum([
  'success',
  'error_goal_failed',
  'error_goal_unmet',
  'error_during_execution',
  'error_max_turns',
  'error_max_budget_usd',
  'error_max_tokens',
  'error_timeout',
  'error_interrupted',
  'error_provider_outage',
  'error_config',
]);
export type ResultSubtype = z.infer<typeof resultSubtypeSchema>;

export const resultEventSchema = z.object({
  ...base,
  type: z.literal('result'),
  subtype: resultSubtypeSchema,
  is_error: z.boolean(),
  exit_code: z.number().int(),
  /** Model turns across all agents. */
  num_turns: z.number().int().nonnegative(),
  total_cost_usd: z.number().nonnegative(),
  usage: usageSchema,
  usage_by_agent: z.record(z.string(), usageTotalsSchema),
  usage_by_model: z.record(z.string(), usageTotalsSchema),
  /** Time the run's training jobs held the GPU box (overlaps counted once) and its cost; included in total_cost_usd. */
  gpu_seconds: z.number().nonnegative().optional(),
  gpu_cost_usd: z.number().nonnegative().optional(),
  /** The `provider/model` keys with calls whose cost no source knew (counted as 0 in total_cost_usd); absent when none. */
  cost_unknown_models: z.array(z.string()).optional(),
  duration_ms: z.number().nonnegative(),
  /** The final answer: the completing agent's summary, or what stopped the run. */
  result: z.string(),
  artifacts: z.array(z.string()),
  /** The goal's phases as their checks stand when the run ends (evaluated then, whatever ended it). */
  phases: phaseStandingSchema.optional(),
});

export const runEventSchema = z.union([
  initEventSchema,
  warningEventSchema,
  assistantEventSchema,
  userEventSchema,
  delegationStartEventSchema,
  delegationEndEventSchema,
  modelRetryEventSchema,
  modelFailoverEventSchema,
  budgetWarningEventSchema,
  phaseReportEventSchema,
  stuckEventSchema,
  trainingStartEventSchema,
  trainingProgressEventSchema,
  trainingEndEventSchema,
  heartbeatEventSchema,
  resultEventSchema,
]);

export type RunEvent = z.infer<typeof runEventSchema>;
export type InitEvent = z.infer<typeof initEventSchema>;
export type AssistantEvent = z.infer<typeof assistantEventSchema>;
export type UserEvent = z.infer<typeof userEventSchema>;
export type DelegationStartEvent = z.infer<typeof delegationStartEventSchema>;
export type DelegationEndEvent = z.infer<typeof delegationEndEventSchema>;
export type ResultEvent = z.infer<typeof resultEventSchema>;
export type PhaseReportEvent = z.infer<typeof phaseReportEventSchema>;
export type StuckEvent = z.infer<typeof stuckEventSchema>;
export type StuckPattern = (typeof STUCK_PATTERNS)[number];
export type TrainingStartEvent = z.infer<typeof trainingStartEventSchema>;
export type TrainingProgressEvent = z.infer<typeof trainingProgressEventSchema>;
export type TrainingEndEvent = z.infer<typeof trainingEndEventSchema>;
export type HeartbeatEvent = z.infer<typeof heartbeatEventSchema>;
export type AgentStatus = z.infer<typeof agentStatusSchema>;

type BaseKeys = 'seq' | 'run_id' | 'session_id' | 'timestamp';
/** What a producer hands to the event bus: the envelope fields are filled in by it. */
export type RunEventInput = RunEvent extends infer Event
  ? Event extends RunEvent
    ? Omit<Event, BaseKeys>
    : never
  : never;

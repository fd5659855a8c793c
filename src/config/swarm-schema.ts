import { z } from 'zod';
import { durationSchema } from '../text/duration.js';

/** Agent names appear in tool arguments and file names: keep them plain. */
export const agentNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, {
  error: 'agent names are lowercase letters, digits and "-", starting with a letter (e.g. "code")',
});

/** Patterns over exposed tool names (`server__tool`); `*` matches any run of characters. */
const toolPatternSchema = z.string().regex(/^[A-Za-z0-9_*?-]+$/, {
  error: 'tool patterns use letters, digits, "_", "-", "*" and "?" (e.g. "fs__read_*")',
});

export const modelParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  /** The model's context window in tokens; long transcripts are trimmed to fit it. */
  contextWindow: z.number().int().positive().optional(),
  /** Per-request timeout; overrides the provider's. */
  timeoutMs: z.number().int().positive().optional(),
});
export type ModelParams = z.infer<typeof modelParamsSchema>;

/** A threshold of the no-progress detector: a count, or false to turn that rule off. */
const STUCK_THRESHOLD_ERROR = 'must be a whole number from 2 to 1000, or false to turn this rule off';
const stuckThreshold = z.union(
  [
    z
      .number({ error: STUCK_THRESHOLD_ERROR })
      .int({ error: STUCK_THRESHOLD_ERROR })
      .min(2, { error: STUCK_THRESHOLD_ERROR })
      .max(1000, { error: STUCK_THRESHOLD_ERROR }),
    z.literal(false),
  ],
  { error: STUCK_THRESHOLD_ERROR },
);

/**
 * When an agent counts as stuck (docs/runtime.md, "Stuck agents"): the same call answered the same way, or the same
 * refused completion, `repeatedCalls` times in a row; or `idleTurns` turns in a row without a new tool result.
 */
export const stuckLimitsSchema = z.strictObject({
  repeatedCalls: stuckThreshold.default(3),
  idleTurns: stuckThreshold.default(10),
});
export type StuckLimits = z.infer<typeof stuckLimitsSchema>;

/** An agent's own thresholds, over the run-wide ones in limits.stuck. */
export const agentStuckSchema = z.strictObject({
  repeatedCalls: stuckThreshold.optional(),
  idleTurns: stuckThreshold.optional(),
});
export type AgentStuckLimits = z.infer<typeof agentStuckSchema>;

/** One entry of a failover chain: "provider/model", a model on the agent's provider, or both spelled out. */
export const modelEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({ provider: z.string().min(1), model: z.string().min(1) }),
]);
export type ModelEntry = z.infer<typeof modelEntrySchema>;

const agentFields = {
  description: z.string().min(1, { error: 'must say what this agent is for: delegators choose by it' }),
  /** The system prompt, inline. */
  systemPrompt: z.string().min(1).optional(),
  /** Or a path to a markdown file holding it, relative to swarm.json. */
  systemPromptFile: z.string().min(1).optional(),
  /** The provider of `model`; with a list of models, the provider of entries that do not name their own. */
  provider: z.string().min(1).optional(),
  /**
   * One model on `provider`, or a failover chain (docs/failover.md): entries tried in order, each "provider/model"
   * (the first segment a provider of config.json) or a model on `provider`, or {provider, model}.
   */
  model: z.union([
    z.string().min(1),
    z.array(modelEntrySchema).min(1, { error: 'a failover chain needs at least one model' }),
  ]),
  params: modelParamsSchema.default({}),
  /** MCP servers (names from config.json mcpServers) whose every tool this agent gets. */
  mcpServers: z.array(z.string()).default([]),
  /** Single tools granted by pattern over `server__tool` names, on top of whole servers. */
  tools: z.array(toolPatternSchema).default([]),
  /** Tools withheld by pattern, even when granted above. */
  deniedTools: z.array(toolPatternSchema).default([]),
  canDelegateTo: z.array(z.string()).optional(),
  /** Model turns this agent may take for one task before it must stop (result: partial). */
  maxTurns: z.number().int().positive().default(40),
  /** This agent's no-progress thresholds, over limits.stuck (e.g. a monitor that polls may repeat more). */
  stuck: agentStuckSchema.optional(),
};

export const agentSchema = z.strictObject({ name: agentNameSchema, ...agentFields });
export const orchestratorSchema = z.strictObject({ name: agentNameSchema.default('orchestrator'), ...agentFields });

export const limitsSchema = z.strictObject({
  /** Model turns across the whole run, all agents together. */
  maxTurns: z.number().int().positive().default(300),
  maxBudgetUsd: z.number().positive().optional(),
  /** Input + output tokens across the whole run. */
  maxTokens: z.number().int().positive().optional(),
  /** Wall-clock limit for the run: seconds as a number, or "90s", "45m", "2h", "1h30m". */
  timeout: durationSchema.optional(),
  /** Delegations run at the same time. */
  maxConcurrentDelegations: z.number().int().positive().max(64).default(4),
  /** How deep delegation may nest (orchestrator → code → memory is depth 2). */
  maxDelegationDepth: z.number().int().positive().max(8).default(3),
  /** Tool results longer than this (characters) are written to a file; the model gets a preview and the path. */
  maxToolResultChars: z.number().int().positive().default(20_000),
  /** Tool calls of one model turn run concurrently up to this many. */
  maxParallelToolCalls: z.number().int().positive().max(64).default(8),
  /** The no-progress detector's thresholds for every agent (each agent may override them with its own `stuck`). */
  stuck: stuckLimitsSchema.prefault({}),
});
export type Limits = z.infer<typeof limitsSchema>;

export const swarmSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  mode: z.enum(['hierarchical', 'flat']).default('hierarchical'),
  orchestrator: orchestratorSchema,
  agents: z.array(agentSchema),
  /** Flat mode: the specialists, in the order they work the goal. Default: every agent, in listed order. */
  flatOrder: z.array(z.string()).optional(),
  limits: limitsSchema.default(limitsSchema.parse({})),
});
export type SwarmFile = z.infer<typeof swarmSchema>;
export type AgentFile = z.infer<typeof agentSchema>;

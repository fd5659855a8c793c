import { z } from 'zod';
import { durationSchema } from './duration.js';

/** Agent names appear in tool arguments and file names: keep them plain. */
export const agentNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'agent names are lowercase letters, digits and "-", starting with a letter (e.g. "code")' });

/** Patterns over exposed tool names (`server__tool`); `*` matches any run of characters. */
const toolPatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9_*?-]+$/, { error: 'tool patterns use letters, digits, "_", "-", "*" and "?" (e.g. "fs__read_*")' });

export const modelParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  /** The model's context window in tokens; long transcripts are trimmed to fit it. */
  contextWindow: z.number().int().positive().optional(),
  /** Per-request timeout; overrides the provider's. */
  timeoutMs: z.number().int().positive().optional(),
});
export type ModelParams = z.infer<typeof modelParamsSchema>;

const agentFields = {
  description: z.string().min(1, { error: 'must say what this agent is for: delegators choose by it' }),
  /** The system prompt, inline. */
  systemPrompt: z.string().min(1).optional(),
  /** Or a path to a markdown file holding it, relative to swarm.json. */
  systemPromptFile: z.string().min(1).optional(),
  provider: z.string().min(1),
  model: z.string().min(1),
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
};

export const agentSchema = z.strictObject({ name: agentNameSchema, ...agentFields });
export const orchestratorSchema = z.strictObject({ name: agentNameSchema.default('orchestrator'), ...agentFields });

export const limitsSchema = z.strictObject({
  /** Model turns across the whole run, all agents together. */
  maxTurns: z.number().int().positive().default(300),
  maxBudgetUsd: z.number().positive().optional(),
  /** Input + output tokens across the whole run. */
  maxTokens: z.number().int().positive().optional(),
  /** Wall-clock limit for the run: seconds as a number, or "90s", "45m", "2h". */
  timeout: durationSchema.optional(),
  /** Delegations run at the same time. */
  maxConcurrentDelegations: z.number().int().positive().max(64).default(4),
  /** How deep delegation may nest (orchestrator → code → memory is depth 2). */
  maxDelegationDepth: z.number().int().positive().max(8).default(3),
  /** Tool results longer than this (characters) are written to a file; the model gets a preview and the path. */
  maxToolResultChars: z.number().int().positive().default(20_000),
  /** Tool calls of one model turn run concurrently up to this many. */
  maxParallelToolCalls: z.number().int().positive().max(64).default(8),
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

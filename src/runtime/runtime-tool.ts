import { z } from 'zod';
import type { ToolDefinition } from '../providers/chat-types.js';
import type { AgentStatus } from '../events/event-schema.js';

/** How an agent said it is done. */
export interface Completion {
  /** As the agent said it: `stuck` is the runtime's verdict, never an agent's. */
  status: Exclude<AgentStatus, 'stuck'>;
  summary: string;
  artifacts: string[];
}

export interface RuntimeToolContext {
  signal: AbortSignal;
  turn: number;
  callId: string;
  /** The call's key in the journal: `<delegation>.<turn>.<index>`; the same on every resume. */
  journalId: string;
}

export interface RuntimeToolResult {
  text: string;
  isError: boolean;
  /** Set by the completion tool: the agent is done. */
  completion?: Completion;
}

/**
 * A tool defined by the runtime rather than an MCP server: only tools that are about the run itself
 * (complete, delegate, read a spilled result). Their names never contain `__`, so they cannot clash with
 * `server__tool` names. Every one may run again after a restart cut it off (see rerunsSafely in tool-execution.ts).
 */
export interface RuntimeTool {
  definition: ToolDefinition;
  execute(input: unknown, context: RuntimeToolContext): Promise<RuntimeToolResult>;
}

/** A JSON Schema for a model, from the zod schema that validates the same input. */
export function toolParameters(schema: z.ZodType): Record<string, unknown> {
  let parameters = convertedSchemas.get(schema);
  if (parameters === undefined) {
    const { $schema: _ignored, ...converted } = z.toJSONSchema(schema) as Record<string, unknown>;
    parameters = converted;
    convertedSchemas.set(schema, parameters);
  }
  return parameters;
}

/** Converted once per schema: every delegation builds its runtime tools again, from the same module-level schemas. */
const convertedSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

/** Validates a runtime tool's input; the error text tells the model what to send instead. */
export function parseToolInput<T>(
  schema: z.ZodType<T>,
  input: unknown,
  toolName: string,
): { ok: true; value: T } | { ok: false; error: string } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, error: `invalid arguments for ${toolName}: ${problems}` };
}

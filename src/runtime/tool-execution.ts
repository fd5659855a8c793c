import { closest } from '../config/format-issues.js';
import type { ToolCall } from '../providers/chat-types.js';
import type { HubTool } from '../tools/tool-hub.js';
import type { RunContext } from './run-context.js';
import type { Completion, RuntimeTool } from './runtime-tool.js';
import { spillIfLarge } from './result-spill.js';

/** The tools one agent may call during one task. */
export interface AgentToolbox {
  hubTools: Map<string, HubTool>;
  runtimeTools: Map<string, RuntimeTool>;
}

export interface ToolCallScope {
  agent: string;
  delegationId: string;
  turn: number;
}

export interface ExecutedToolCall {
  toolCallId: string;
  name: string;
  /** What goes back to the model. */
  text: string;
  isError: boolean;
  completion?: Completion;
}

/**
 * Runs one tool call of a model turn: parses its arguments, runs a runtime tool or an MCP tool through the hub,
 * writes large results to a file, records the call (a row before it runs, completed after), and emits the
 * result event. Errors the model can fix come back as error results; only a stopping run throws.
 */
export async function executeToolCall(run: RunContext, toolbox: AgentToolbox, scope: ToolCallScope, call: ToolCall, index: number): Promise<ExecutedToolCall> {
  const storedId = `${scope.delegationId}.${scope.turn}.${index}`;
  const startedAt = run.now();
  run.store.startToolCall({
    runId: run.runId,
    id: storedId,
    delegationId: scope.delegationId,
    agent: scope.agent,
    turn: scope.turn,
    modelCallId: call.id,
    name: call.name,
    argumentsJson: call.arguments,
    startedAt: new Date(startedAt).toISOString(),
  });

  let outcome: { text: string; isError: boolean; completion?: Completion };
  const input = parseArguments(call.arguments);
  if (!input.ok) {
    outcome = { text: `the arguments of ${call.name} are not a JSON object (${input.error}); call it again with a JSON object matching its schema`, isError: true };
  } else {
    outcome = await dispatch(run, toolbox, call, input.value, scope.turn, storedId);
  }

  const spilled = outcome.completion
    ? { text: outcome.text }
    : spillIfLarge(outcome.text, { maxChars: run.limits.maxToolResultChars, runDirectory: run.dependencies.runDirectory, workdir: run.dependencies.workdir, name: storedId });
  const durationMs = run.now() - startedAt;
  run.store.finishToolCall({ runId: run.runId, id: storedId, resultText: outcome.text, isError: outcome.isError, spilledTo: spilled.spilledTo, durationMs });
  run.events.emit({
    type: 'user',
    agent: scope.agent,
    delegation_id: scope.delegationId,
    message: {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: call.id, name: call.name, content: spilled.text, is_error: outcome.isError, duration_ms: durationMs, ...(spilled.spilledTo ? { spilled_to: spilled.spilledTo } : {}) }],
    },
  });
  return { toolCallId: call.id, name: call.name, text: spilled.text, isError: outcome.isError, completion: outcome.completion };
}

async function dispatch(run: RunContext, toolbox: AgentToolbox, call: ToolCall, input: Record<string, unknown>, turn: number, journalId: string): Promise<{ text: string; isError: boolean; completion?: Completion }> {
  const runtimeTool = toolbox.runtimeTools.get(call.name);
  if (runtimeTool) {
    return runtimeTool.execute(input, { signal: run.signal, turn, callId: call.id, journalId });
  }
  if (toolbox.hubTools.has(call.name)) {
    try {
      return await run.dependencies.hub.call(call.name, input, { signal: run.signal });
    } catch (error) {
      run.throwIfStopped();
      throw error;
    }
  }
  const available = [...toolbox.runtimeTools.keys(), ...toolbox.hubTools.keys()];
  const suggestion = closest(call.name, available);
  return {
    text: `there is no tool "${call.name}" for you${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; your tools are: ${available.join(', ')}`,
    isError: true,
  };
}

function parseArguments(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: `got ${Array.isArray(value) ? 'an array' : typeof value}` };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

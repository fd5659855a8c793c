import { closestName } from '../text/name-suggestions.js';
import type { ToolCall } from '../providers/chat-types.js';
import type { HubTool } from '../tools/tool-hub.js';
import type { RunContext } from './run-context.js';
import type { Completion, RuntimeTool } from './runtime-tool.js';
import { spillIfLarge } from './result-spill.js';
import { failPoint } from '../supervisor/fail-points.js';
import { COMPLETE_TOOL_NAME } from './complete-tool.js';
import { DELEGATE_TOOL_NAME } from './delegate-tool-name.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { RUNTIME_AGENT } from '../events/event-schema.js';

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

/** What the agent is told about a call a restart cut off, when running it again would not be safe. */
export const INTERRUPTED_CALL_TEXT =
  'not known whether this call took effect: mux-swarm stopped (a crash or a restart) after starting it and before recording its result, ' +
  'and it was not run again because it may change things. Check its effects (files, processes) before calling it again.';

/**
 * Runs one tool call of a model turn: parses its arguments, runs a runtime tool or an MCP tool through the hub,
 * scrubs the process's secrets from the result (an agent that runs `env` learns which variables exist, not their
 * values), writes large results to a file, journals the call (an intent row before it runs, its outcome after), and emits
 * the result event. Errors the model can fix come back as error results; only a stopping run throws.
 *
 * On a resumed run the journal decides: a call with a recorded outcome is not run again, its recorded result is
 * given back (only `complete` is checked again, its outcome being the agent's); a call cut off after its intent
 * is run again when that is safe (the runtime's own tools — a delegation resumes where it stopped — and MCP tools
 * marked read-only or idempotent), else the agent is told it was interrupted.
 */
export async function executeToolCall(
  run: RunContext,
  toolbox: AgentToolbox,
  scope: ToolCallScope,
  call: ToolCall,
  index: number,
): Promise<ExecutedToolCall> {
  const storedId = `${scope.delegationId}.${scope.turn}.${index}`;
  const recorded = run.store.journal.toolCall(run.runId, storedId);
  // The completion is checked again rather than replayed: the agent's outcome is built from it.
  if (recorded?.completed && call.name !== COMPLETE_TOOL_NAME) {
    return { toolCallId: call.id, name: call.name, text: recorded.replyText ?? '', isError: recorded.isError };
  }
  if (recorded && !recorded.completed && !rerunsSafely(toolbox, call.name)) {
    run.store.finishToolCall({
      runId: run.runId,
      id: storedId,
      resultText: INTERRUPTED_CALL_TEXT,
      replyText: INTERRUPTED_CALL_TEXT,
      isError: true,
      durationMs: 0,
    });
    emitResult(run, scope, call, INTERRUPTED_CALL_TEXT, true, 0);
    return { toolCallId: call.id, name: call.name, text: INTERRUPTED_CALL_TEXT, isError: true };
  }
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

  failPoint('tool-intent');
  let outcome: { text: string; isError: boolean; completion?: Completion };
  const input = parseArguments(call.arguments);
  if (!input.ok) {
    outcome = {
      text: `the arguments of ${call.name} are not a JSON object (${input.error}); call it again with a JSON object matching its schema`,
      isError: true,
    };
  } else {
    // A delegation is not a wait of its own: the delegate's model and tool calls are.
    const activity =
      call.name === DELEGATE_TOOL_NAME
        ? undefined
        : run.activity.begin({ kind: 'tool', agent: scope.agent, delegationId: scope.delegationId, tool: call.name });
    try {
      // A call that may change things starts only once its intent is on disk: a crash then finds it and does not
      // repeat it. A call safe to run again does not wait (the journal is synced in the background meanwhile).
      if (!rerunsSafely(toolbox, call.name)) await run.store.durable();
      outcome = await dispatch(run, toolbox, scope, call, input.value, storedId);
    } finally {
      activity?.end();
    }
  }
  // Scrubbed once, here: the journal, the spill file, the events and the model all get this text.
  const scrubber = run.dependencies.scrubber;
  if (scrubber !== undefined) outcome = { ...outcome, text: scrubber.text(outcome.text) };

  failPoint('tool-ran');
  const spilled = outcome.completion
    ? { text: outcome.text }
    : spillIfLarge(outcome.text, {
        maxChars: run.limits.maxToolResultChars,
        runDirectory: run.dependencies.runDirectory,
        workdir: run.dependencies.workdir,
        name: storedId,
      });
  const durationMs = run.now() - startedAt;
  run.store.finishToolCall({
    runId: run.runId,
    id: storedId,
    resultText: outcome.text,
    replyText: spilled.text,
    isError: outcome.isError,
    spilledTo: spilled.spilledTo,
    durationMs,
  });
  emitResult(run, scope, call, spilled.text, outcome.isError, durationMs, spilled.spilledTo);
  return {
    toolCallId: call.id,
    name: call.name,
    text: spilled.text,
    isError: outcome.isError,
    completion: outcome.completion,
  };
}

/** The runtime's own tools, and MCP tools that say they are read-only or idempotent, may run again after a restart. */
function rerunsSafely(toolbox: AgentToolbox, name: string): boolean {
  if (toolbox.runtimeTools.has(name)) return true;
  const annotations = toolbox.hubTools.get(name)?.annotations;
  return annotations?.readOnlyHint === true || annotations?.idempotentHint === true;
}

function emitResult(
  run: RunContext,
  scope: ToolCallScope,
  call: ToolCall,
  text: string,
  isError: boolean,
  durationMs: number,
  spilledTo?: string,
): void {
  run.events.emit({
    type: 'user',
    agent: scope.agent,
    delegation_id: scope.delegationId,
    message: {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: call.id,
          name: call.name,
          content: text,
          is_error: isError,
          duration_ms: durationMs,
          ...(spilledTo ? { spilled_to: spilledTo } : {}),
        },
      ],
    },
  });
}

/**
 * Failure memory sees every MCP tool outcome: a failure gets its known fixes (returned, to add to the result), a
 * success may close an earlier failure of the same step as fixed. Memory never breaks a tool call: its own errors are
 * reported as a warning.
 */
function rememberOutcome(
  run: RunContext,
  call: { scope: ToolCallScope; callId: string; tool: string; input: Record<string, unknown> },
  outcome: { text: string; isError: boolean; structuredContent?: unknown },
): string {
  if (run.failures === undefined) return '';
  const { scope, callId, tool, input } = call;
  return withFailureMemory(run, '', () => {
    const structured =
      outcome.structuredContent !== null && typeof outcome.structuredContent === 'object'
        ? (outcome.structuredContent as Record<string, unknown>)
        : undefined;
    return run.failures!.afterToolCall({
      agent: scope.agent,
      delegationId: scope.delegationId,
      callId,
      tool,
      input,
      text: outcome.text,
      isError: outcome.isError,
      ...(structured === undefined ? {} : { structured }),
    });
  });
}

/** Memory's own errors are a warning: they never break a tool call. */
function withFailureMemory<T>(run: RunContext, fallback: T, action: () => T): T {
  try {
    return action();
  } catch (error) {
    run.events.emit({
      type: 'system',
      subtype: 'warning',
      agent: RUNTIME_AGENT,
      message: `failure memory: ${describeError(error)} (the tool result is unaffected)`,
    });
    return fallback;
  }
}

async function dispatch(
  run: RunContext,
  toolbox: AgentToolbox,
  scope: ToolCallScope,
  call: ToolCall,
  input: Record<string, unknown>,
  journalId: string,
): Promise<{ text: string; isError: boolean; completion?: Completion }> {
  const answered = run.dependencies.toolStandIn?.({ journalId, name: call.name, input });
  if (answered) return answered;
  const runtimeTool = toolbox.runtimeTools.get(call.name);
  if (runtimeTool) {
    return runtimeTool.execute(input, { signal: run.signal, turn: scope.turn, callId: call.id, journalId });
  }
  const hubTool = toolbox.hubTools.get(call.name);
  if (hubTool) {
    const failures = run.failures;
    if (failures !== undefined) {
      const readOnly = hubTool.annotations?.readOnlyHint === true;
      withFailureMemory(run, undefined, () =>
        failures.beforeToolCall({
          agent: scope.agent,
          delegationId: scope.delegationId,
          callId: journalId,
          tool: call.name,
          input,
          readOnly,
        }),
      );
    }
    let outcome;
    try {
      outcome = await run.dependencies.hub.call(call.name, input, { signal: run.signal });
    } catch (error) {
      run.throwIfStopped();
      throw error;
    }
    const knownFixes = rememberOutcome(run, { scope, callId: journalId, tool: call.name, input }, outcome);
    return knownFixes === '' ? outcome : { ...outcome, text: `${outcome.text}\n\n${knownFixes}` };
  }
  const available = [...toolbox.runtimeTools.keys(), ...toolbox.hubTools.keys()];
  const suggestion = closestName(call.name, available);
  return {
    text: `there is no tool "${call.name}" for you${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; your tools are: ${available.join(', ')}`,
    isError: true,
  };
}

function parseArguments(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, error: `got ${Array.isArray(value) ? 'an array' : typeof value}` };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

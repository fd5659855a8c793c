import type { AgentDefinition } from '../config/load-swarm.js';
import type { AgentStatus } from '../events/event-schema.js';
import type { ChatMessage, ChatResponse, ToolCall, ToolDefinition } from '../providers/chat-types.js';
import type { HubTool } from '../tools/tool-hub.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { fitToContextWindow } from './context-window.js';
import { DELEGATE_TOOL_NAME } from './delegate-tool-name.js';
import type { RunContext } from './run-context.js';
import type { Completion, RuntimeTool } from './runtime-tool.js';
import { executeToolCall, type AgentToolbox, type ExecutedToolCall } from './tool-execution.js';
import { COMPLETE_TOOL_NAME } from './complete-tool.js';

export interface AgentInvocation {
  agent: AgentDefinition;
  systemPrompt: string;
  task: string;
  delegationId: string;
  runtimeTools: RuntimeTool[];
  /** The MCP tools swarm.json grants this agent, now: asked again whenever the hub's tools change. */
  hubTools: () => HubTool[];
}

export type AgentStopReason = 'completed' | 'max_turns' | 'no_completion' | 'error';

export interface AgentOutcome {
  status: AgentStatus;
  summary: string;
  artifacts: string[];
  turns: number;
  stopReason: AgentStopReason;
}

/** Text-only replies tolerated in a row before the agent is taken to be done without saying so. */
const MAX_REPLIES_WITHOUT_TOOLS = 2;

const NUDGE =
  `You replied without calling a tool. If your work is finished (or cannot be finished), call ${COMPLETE_TOOL_NAME} with status, summary and artifacts. ` +
  'Otherwise continue by calling one of your tools.';

/**
 * One agent working one task: model turn → tool calls (concurrently) → results → … until it calls the
 * completion tool. Its turn limit ends the task as `partial` with what it last said, never in silence.
 */
export async function runAgent(run: RunContext, invocation: AgentInvocation): Promise<AgentOutcome> {
  const { agent, delegationId } = invocation;
  const model = run.dependencies.modelFor(agent);
  const toolbox: AgentToolbox = {
    hubTools: new Map(),
    runtimeTools: new Map(invocation.runtimeTools.map((tool) => [tool.definition.name, tool])),
  };
  let tools: ToolDefinition[] = [];
  let toolsRevision: number | undefined;
  // A server that restarts or announces list_changed changes what the agent is offered from its next turn on.
  const refreshTools = (): void => {
    const revision = run.dependencies.hub.revision;
    if (revision === toolsRevision) return;
    toolsRevision = revision;
    toolbox.hubTools = new Map(invocation.hubTools().map((tool) => [tool.exposedName, tool]));
    tools = [
      ...invocation.runtimeTools.map((tool) => tool.definition),
      ...[...toolbox.hubTools.values()].map((tool) => ({ name: tool.exposedName, description: tool.description, parameters: tool.inputSchema })),
    ];
  };
  const messages: ChatMessage[] = [];
  const append = (message: ChatMessage): void => {
    messages.push(message);
    const record = message as { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string };
    run.store.appendMessage(
      run.runId,
      delegationId,
      messages.length,
      { role: record.role, content: typeof record.content === 'string' ? record.content : record.content == null ? null : JSON.stringify(record.content), toolCalls: record.tool_calls, toolCallId: record.tool_call_id },
      run.isoNow(),
    );
  };
  append({ role: 'system', content: invocation.systemPrompt });
  append({ role: 'user', content: invocation.task });

  const toolLimiter = new ConcurrencyLimiter(run.limits.maxParallelToolCalls);
  const delegationLimiter = new ConcurrencyLimiter(run.limits.maxConcurrentDelegations);
  let lastText = '';
  let repliesWithoutTools = 0;

  for (let turn = 1; turn <= agent.maxTurns; turn += 1) {
    run.beginModelTurn();
    refreshTools();
    const response = await callModel(run, invocation, model, messages, tools, turn);
    run.throwIfStopped();
    const toolCalls = response.toolCalls;
    if (response.content) lastText = response.content;
    append({
      role: 'assistant',
      content: response.content ?? (toolCalls.length > 0 ? null : ''),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) } : {}),
    });

    if (toolCalls.length === 0) {
      repliesWithoutTools += 1;
      if (repliesWithoutTools >= MAX_REPLIES_WITHOUT_TOOLS) {
        return { status: 'partial', summary: lastText || 'the agent stopped without a summary', artifacts: [], turns: turn, stopReason: 'no_completion' };
      }
      append({ role: 'user', content: NUDGE });
      continue;
    }
    repliesWithoutTools = 0;

    // Other calls run concurrently first; the completion call runs last, so it reports on their outcome.
    const completeCall = toolCalls.find((call) => call.name === COMPLETE_TOOL_NAME);
    const others = toolCalls.filter((call) => call.name !== COMPLETE_TOOL_NAME);
    const scope = { agent: agent.name, delegationId, turn };
    const settled = await Promise.allSettled(
      others.map((call) => (call.name === DELEGATE_TOOL_NAME ? delegationLimiter : toolLimiter).run(() => executeToolCall(run, toolbox, scope, call, toolCalls.indexOf(call)))),
    );
    run.throwIfStopped();
    const results = new Map<string, ExecutedToolCall>();
    for (const outcome of settled) {
      if (outcome.status === 'rejected') throw outcome.reason;
      results.set(outcome.value.toolCallId, outcome.value);
    }
    let completion: Completion | undefined;
    if (completeCall) {
      const executed = await executeToolCall(run, toolbox, scope, completeCall, toolCalls.indexOf(completeCall));
      results.set(executed.toolCallId, executed);
      completion = executed.completion;
    }
    for (const call of toolCalls) {
      const result = results.get(call.id);
      append({ role: 'tool', tool_call_id: call.id, content: result ? result.text : `not run: only one ${COMPLETE_TOOL_NAME} call is taken per turn` });
    }
    if (completion) return { ...completion, turns: turn, stopReason: 'completed' };
  }
  return {
    status: 'partial',
    summary: `stopped after ${agent.maxTurns} turns without completing.${lastText ? ` Last message: ${lastText}` : ''}`,
    artifacts: [],
    turns: agent.maxTurns,
    stopReason: 'max_turns',
  };
}

async function callModel(run: RunContext, invocation: AgentInvocation, model: ReturnType<RunContext['dependencies']['modelFor']>, messages: ChatMessage[], tools: ToolDefinition[], turn: number): Promise<ChatResponse> {
  const { agent, delegationId } = invocation;
  const startedAt = run.now();
  let response: ChatResponse;
  try {
    response = await model.complete({
      messages: fitToContextWindow(messages, agent.params.contextWindow),
      tools,
      temperature: agent.params.temperature,
      maxOutputTokens: agent.params.maxOutputTokens,
      signal: run.signal,
    });
  } catch (error) {
    run.throwIfStopped();
    run.store.recordModelCall({
      runId: run.runId, delegationId, agent: agent.name, turn, provider: model.provider, model: model.model,
      inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costUsd: 0,
      startedAt: new Date(startedAt).toISOString(), durationMs: run.now() - startedAt, error: (error as Error).message,
    });
    throw error;
  }
  response = { ...response, toolCalls: withUniqueIds(response.toolCalls, turn) };
  run.store.recordModelCall({
    runId: run.runId, delegationId, agent: agent.name, turn, provider: response.provider, model: model.model, responseModel: response.model,
    inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, cachedInputTokens: response.usage.cachedInputTokens,
    reasoningTokens: response.usage.reasoningTokens, costUsd: response.costUsd, costSource: response.costSource, finishReason: response.finishReason,
    attempts: response.attempts, startedAt: new Date(startedAt).toISOString(), durationMs: response.durationMs,
  });
  run.events.emit({
    type: 'assistant',
    agent: agent.name,
    delegation_id: delegationId,
    turn,
    message: {
      role: 'assistant',
      model: response.model || model.model,
      content: [
        ...(response.content ? [{ type: 'text' as const, text: response.content }] : []),
        ...response.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: safeParse(call.arguments) })),
      ],
    },
    usage: {
      input_tokens: response.usage.inputTokens,
      output_tokens: response.usage.outputTokens,
      cache_read_input_tokens: response.usage.cachedInputTokens,
      reasoning_tokens: response.usage.reasoningTokens,
    },
    cost_usd: response.costUsd,
  });
  run.recordModelUsage(agent.name, response, model.model);
  return response;
}

/** Some local servers give every call the same id, or none: ids must be unique within a turn. */
function withUniqueIds(calls: ToolCall[], turn: number): ToolCall[] {
  const seen = new Set<string>();
  return calls.map((call, index) => {
    const id = call.id && !seen.has(call.id) ? call.id : `call_${turn}_${index}`;
    seen.add(id);
    return { ...call, id };
  });
}

function safeParse(text: string): unknown {
  try {
    return text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return text;
  }
}

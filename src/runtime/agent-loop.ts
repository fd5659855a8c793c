import type { AgentDefinition } from '../config/load-swarm.js';
import type { AgentStatus } from '../events/event-schema.js';
import type { ChatMessage, ChatResponse, ToolCall, ToolDefinition } from '../providers/chat-types.js';
import type { FailoverNotice } from '../providers/failover-chat-model.js';
import type { HubTool } from '../tools/tool-hub.js';
import {
  AgentTranscript,
  lastAssistantMessage,
  lastAssistantText,
  lastToolCalls,
  trailingRepliesWithoutTools,
} from './agent-transcript.js';
import { COMPLETE_TOOL_NAME } from './complete-tool.js';
import { contextWindowFor, fitToContextWindow } from './context-window.js';
import { failPoint } from '../supervisor/fail-points.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { isProviderOutage } from '../providers/provider-outage.js';
import { describeStop } from '../errors/run-stopped-error.js';
import type { RunContext } from './run-context.js';
import type { RuntimeTool } from './runtime-tool.js';
import type { AgentToolbox } from './tool-execution.js';
import { TurnToolRunner } from './turn-tool-runner.js';
import { StuckWatch, type StuckEnding } from './stuck/stuck-watch.js';

export interface AgentInvocation {
  agent: AgentDefinition;
  systemPrompt: string;
  task: string;
  delegationId: string;
  runtimeTools: RuntimeTool[];
  /** The MCP tools swarm.json grants this agent, now: asked again whenever the hub's tools change. */
  hubTools: () => HubTool[];
  /** The transcript journaled before a restart: the agent continues from its last recorded step. */
  resumeFrom?: ChatMessage[];
  /**
   * Resuming from a non-empty transcript: a message from the runtime (role user) added, and journaled, before the
   * next model call, e.g. the recovery report after a restart. Ignored for an agent that starts afresh.
   */
  resumeMessage?: string;
}

export type AgentStopReason = 'completed' | 'max_turns' | 'no_completion' | 'error' | 'stuck';

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
  const { agent } = invocation;
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
      ...[...toolbox.hubTools.values()].map((tool) => ({
        name: tool.exposedName,
        description: tool.description,
        parameters: tool.inputSchema,
      })),
    ];
  };
  const transcript = new AgentTranscript(run, invocation.delegationId, invocation.resumeFrom);
  if (transcript.messages.length === 0)
    transcript.append({ role: 'system', content: invocation.systemPrompt }, { role: 'user', content: invocation.task });

  const turnRunner = new TurnToolRunner(run, toolbox, transcript, {
    agent: agent.name,
    delegationId: invocation.delegationId,
  });
  const stuckWatch = new StuckWatch(run, agent, invocation.delegationId);
  let lastText = lastAssistantText(transcript.messages);
  const stuckOutcome = (ending: StuckEnding, turn: number): AgentOutcome => ({
    status: 'stuck',
    summary: ending.summary,
    artifacts: [],
    turns: turn,
    stopReason: 'stuck',
  });

  // Resuming: a turn whose tool calls were made but whose results were not all journaled is finished first, and a
  // reply without tool calls gets the nudge it was about to get. The no-progress detector first replays the
  // recorded turns, so it judges the next one as it would have without the restart.
  const last = transcript.messages.at(-1);
  if (last?.role === 'assistant') {
    stuckWatch.resume(transcript);
    refreshTools();
    const ending = await afterReply(lastToolCalls(last), transcript.turns);
    if (ending) return ending;
  } else if (last?.role === 'tool') {
    // The last turn's results are journaled; if it completed the task, the crash came before the delegation's
    // outcome was: the completion is checked again and returned, the model is not asked for another turn.
    refreshTools();
    const completion = await turnRunner.recheckCompletion(
      lastToolCalls(lastAssistantMessage(transcript.messages)),
      transcript.turns,
    );
    if (completion) return { ...completion, turns: transcript.turns, stopReason: 'completed' };
    const stuck = stuckWatch.resume(transcript);
    if (stuck) return stuckOutcome(stuck, transcript.turns);
  } else if (last?.role === 'user' && invocation.resumeFrom && invocation.resumeFrom.length > 0) {
    stuckWatch.resume(transcript);
  }
  // After the interrupted turn's results (a tool call must be followed by its result, not by another message).
  if (invocation.resumeMessage && invocation.resumeFrom && invocation.resumeFrom.length > 0)
    transcript.append({ role: 'user', content: invocation.resumeMessage });

  async function afterReply(toolCalls: ToolCall[], turn: number): Promise<AgentOutcome | undefined> {
    if (toolCalls.length === 0) {
      if (trailingRepliesWithoutTools(transcript.messages) >= MAX_REPLIES_WITHOUT_TOOLS) {
        return {
          status: 'partial',
          summary: lastText || 'the agent stopped without a summary',
          artifacts: [],
          turns: turn,
          stopReason: 'no_completion',
        };
      }
      transcript.append({ role: 'user', content: NUDGE });
    } else {
      const completion = await turnRunner.runTurn(toolCalls, turn);
      if (completion) return { ...completion, turns: turn, stopReason: 'completed' };
    }
    const stuck = stuckWatch.afterTurn(transcript);
    return stuck ? stuckOutcome(stuck, turn) : undefined;
  }

  // Training jobs that end while this agent works are announced to it, when it is concerned, before its next turn.
  const trainingServers = run.dependencies.trainingServers ?? [];
  const hearsOfTraining =
    agent.role === 'orchestrator' || invocation.hubTools().some((tool) => trainingServers.includes(tool.server));
  let noticeCursor = run.notices.cursor();

  for (let turn = transcript.turns + 1; turn <= agent.maxTurns; turn += 1) {
    run.beginModelTurn();
    refreshTools();
    if (hearsOfTraining) {
      const { notices, cursor } = run.notices.since(noticeCursor);
      noticeCursor = cursor;
      if (notices.length > 0) transcript.append({ role: 'user', content: notices.join('\n\n') });
    }
    const response = await callModel(run, invocation, model, transcript, tools, turn);
    run.throwIfStopped();
    if (response.content) lastText = response.content;
    const ending = await afterReply(response.toolCalls, turn);
    if (ending) return ending;
  }
  return {
    status: 'partial',
    summary: `stopped after ${agent.maxTurns} turns without completing.${lastText ? ` Last message: ${lastText}` : ''}`,
    artifacts: [],
    turns: agent.maxTurns,
    stopReason: 'max_turns',
  };
}

/**
 * One model call, journaled: an intent row before it is made, then its usage and its reply committed together
 * (so a reply is never lost after it was paid for, nor asked for twice).
 */
async function callModel(
  run: RunContext,
  invocation: AgentInvocation,
  model: ReturnType<RunContext['dependencies']['modelFor']>,
  transcript: AgentTranscript,
  tools: ToolDefinition[],
  turn: number,
): Promise<ChatResponse> {
  const { agent, delegationId } = invocation;
  const startedAt = run.now();
  const intent = run.store.startModelCall({
    runId: run.runId,
    delegationId,
    agent: agent.name,
    turn,
    provider: model.provider,
    model: model.model,
    startedAt: new Date(startedAt).toISOString(),
  });
  failPoint('model-intent');
  const activity = run.activity.begin({
    kind: 'model',
    agent: agent.name,
    delegationId,
    model: `${model.provider}/${model.model}`,
  });
  let response: ChatResponse;
  try {
    response = await model.complete({
      messages: fitToContextWindow(
        transcript.messages,
        await contextWindowFor(transcript.messages, agent.params.contextWindow, model),
      ),
      tools,
      temperature: agent.params.temperature,
      maxOutputTokens: agent.params.maxOutputTokens,
      signal: run.signal,
      onStreamProgress: activity.streamed,
      onFailover: (notice) => recordFailover(run, { agent: agent.name, delegationId, turn }, notice),
      modelCallId: intent,
    });
  } catch (error) {
    run.store.failModelCall(intent, (error as Error).message, run.now() - startedAt);
    // A provider that is down after its retries (and every failover) stops the whole run resumably, as Ctrl-C does:
    // no delegation records a failure it would replay, and `resume` asks this very call again.
    if (isProviderOutage(error))
      run.stop('provider_outage', `${agent.name}, turn ${turn}`, outageExplanation(run.runId, agent.name, error));
    run.throwIfStopped();
    throw error;
  } finally {
    activity.end();
  }
  failPoint('model-reply');
  response = { ...response, toolCalls: withUniqueIds(response.toolCalls, turn) };
  // Cost and usage count under the entry of the failover chain that answered.
  const answered = { provider: response.provider || model.provider, model: response.requestedModel ?? model.model };
  const reply: ChatMessage = {
    role: 'assistant',
    content: response.content ?? (response.toolCalls.length > 0 ? null : ''),
    ...(response.toolCalls.length > 0
      ? {
          tool_calls: response.toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : {}),
  };
  run.store.finishModelCall(
    intent,
    {
      ...(answered.provider !== model.provider || answered.model !== model.model ? { answeredBy: answered } : {}),
      responseModel: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      cachedInputTokens: response.usage.cachedInputTokens,
      reasoningTokens: response.usage.reasoningTokens,
      costUsd: response.costUsd,
      costSource: response.costSource,
      finishReason: response.finishReason,
      attempts: response.attempts,
      durationMs: response.durationMs,
    },
    transcript.placeNext(reply),
  );
  transcript.pushJournaled(reply);
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
        ...response.toolCalls.map((call) => ({
          type: 'tool_use' as const,
          id: call.id,
          name: call.name,
          input: safeParse(call.arguments),
        })),
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
  run.recordModelUsage(agent.name, response, answered.model);
  return response;
}

/** A call moved off an entry of the agent's failover chain: journaled (a resume restores the cooldown) and announced. */
function recordFailover(
  run: RunContext,
  at: { agent: string; delegationId: string; turn: number },
  notice: FailoverNotice,
): void {
  const cooledUntil = notice.cooledUntilMs === undefined ? undefined : new Date(notice.cooledUntilMs).toISOString();
  run.store.recordFailover({
    runId: run.runId,
    ...at,
    fromEntry: notice.from,
    toEntry: notice.to,
    kind: notice.kind,
    reason: notice.reason,
    cooledUntil,
    durationMs: notice.durationMs,
    at: run.isoNow(),
  });
  run.events.emit({
    type: 'model-failover',
    agent: at.agent,
    delegation_id: at.delegationId,
    from: notice.from,
    to: notice.to ?? null,
    kind: notice.kind,
    reason: notice.reason,
    cooled_until: cooledUntil ?? null,
  });
}

/** The result of a run an outage stopped: what failed, that nothing is lost, and the command that goes on. */
function outageExplanation(runId: string, agent: string, error: unknown): string {
  const cause = describeError(error).replace(/\.?\s*$/, '');
  return `${describeStop('provider_outage')} (${agent}): ${cause}. Nothing finished is lost: once the provider answers again, \`mux-swarm resume ${runId}\` asks this call again and goes on (or run under \`--watchdog --retry-outage <duration>\`)`;
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

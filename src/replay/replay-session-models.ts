import type { AgentDefinition } from '../config/load-swarm.js';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import type { ChatModel, ChatRequest, ChatResponse, CostSource } from '../providers/chat-types.js';
import { acceptedCompletion, COMPLETE_TOOL_NAME } from '../runtime/complete-tool.js';
import { DELEGATE_TOOL_NAME } from '../runtime/delegate-tool-name.js';
import type { Completion } from '../runtime/runtime-tool.js';
import type { Cassette, CassetteToolCall } from './cassette.js';
import { describeDivergence } from './divergence-report.js';
import { ReplayLibrary } from './replay-library.js';
import {
  messagesJson,
  projectMessage,
  RequestIdentifier,
  RequestNormaliser,
  requestTurn,
  type ProjectedMessage,
} from './request-identity.js';
import { RequestRecorder } from './request-recorder.js';
import { askerOf, type ModelScope, type SessionModels } from './session-models.js';

/** `live`: MCP tools run for real; `recorded`: their results come from the recording and nothing runs. */
export type ReplayTools = 'live' | 'recorded';

/** A replay's models and what it learnt: the library (answers, divergence) and the run it drove. */
export interface ReplaySession {
  models: SessionModels;
  library: ReplayLibrary;
  /** The id of the run the replay drove, once its first model was built. */
  runId(): string | undefined;
}

/**
 * Models that answer from `cassette` instead of a provider: a request is answered by the recorded call that asked
 * exactly the same (see request-identity.ts), with the recorded reply (this run's places restored in it). The first
 * request the recording does not hold ends the call with the divergence, and every later call with it too. With
 * `tools: 'recorded'`, tool calls are answered from the recording (RunDependencies.toolStandIn).
 * Replayed requests are recorded like live ones, so a replay's run can itself be exported.
 */
export function replaySession(cassette: Cassette, tools: ReplayTools): ReplaySession {
  let current: { runId: string; workdir: string; identifier: RequestIdentifier; recorder: RequestRecorder } | undefined;
  const library = new ReplayLibrary(cassette, (call: CassetteToolCall) => call.id);
  const runFor = (scope: ModelScope): NonNullable<typeof current> => {
    if (current?.runId !== scope.runId) {
      current = {
        runId: scope.runId,
        workdir: scope.workdir,
        identifier: new RequestIdentifier(new RequestNormaliser(scope, scope.scrubber)),
        recorder: new RequestRecorder(scope.database),
      };
    }
    return current;
  };

  const modelFor = (agent: AgentDefinition, _live: () => ChatModel, scope: ModelScope): ChatModel => {
    const asker = askerOf(agent);
    const { identifier, recorder } = runFor(scope);
    const normaliser = identifier.normaliser;
    return {
      provider: agent.provider,
      model: agent.model,
      async complete(request: ChatRequest): Promise<ChatResponse> {
        if (library.divergence) throw library.diverge(library.divergence);
        const identity = identifier.identify(asker, request.messages, request.tools);
        try {
          recorder.record(identity, request.messages.length, request.modelCallId);
        } catch {
          // Recording the replay is a convenience: it never stops it.
        }
        const call = library.takeModelCall(identity.hash);
        if (!call) {
          const messages = JSON.parse(messagesJson(request.messages, normaliser)) as ProjectedMessage[];
          throw library.diverge(
            describeDivergence(cassette, {
              asker,
              turn: requestTurn(request.messages.map(projectMessage)),
              messages,
              toolsHash: identity.toolsHash,
              toolsJson: identity.toolsJson,
            }),
          );
        }
        if (call.reply === undefined)
          throw new MuxSwarmError(
            'replayed_model_failure',
            normaliser.restore(call.error ?? 'the recorded call failed'),
          );
        const reply = call.reply;
        const content = reply.content === null ? null : normaliser.restore(reply.content);
        if (content) request.onTextDelta?.(content);
        return {
          content,
          toolCalls: reply.toolCalls.map((toolCall) => ({
            id: toolCall.id,
            name: toolCall.name,
            arguments: normaliser.restore(toolCall.arguments),
          })),
          toolCallsFromText: false,
          finishReason: reply.finishReason,
          usage: reply.usage,
          costUsd: reply.costUsd,
          costSource: (reply.costSource ?? 'unknown') as CostSource,
          model: reply.model,
          provider: agent.provider,
          durationMs: 0,
          attempts: 1,
        };
      },
    };
  };

  const models: SessionModels = {
    offline: true,
    modelFor,
    ...(tools === 'recorded' ? { toolStandIn: recordedToolCall } : {}),
  };

  /**
   * A tool call answered from the recording (the call journaled under the same id, delegation.turn.index, with the
   * same name): nothing runs. Delegations still run (their agents are replayed); an accepted `complete` hands back
   * its completion unchecked. A call the recording does not hold ends the replay.
   */
  function recordedToolCall(call: {
    journalId: string;
    name: string;
    input: Record<string, unknown>;
  }): Promise<{ text: string; isError: boolean; completion?: Completion }> | undefined {
    if (call.name === DELEGATE_TOOL_NAME) return undefined;
    const normaliser = current?.identifier.normaliser;
    const recorded = library.takeToolCall(call.journalId);
    if (!recorded || recorded.name !== call.name) {
      const argumentsJson = normaliser ? normaliser.text(JSON.stringify(call.input)) : JSON.stringify(call.input);
      const turn = Number(call.journalId.split('.').at(-2));
      const agent =
        cassette.toolCalls.find(
          (candidate) => candidate.delegation === call.journalId.split('.').slice(0, -2).join('.'),
        )?.agent ?? 'an agent';
      return Promise.reject(
        library.diverge({
          agent,
          turn,
          reason: `the recording holds no result of ${call.name} ${argumentsJson} as call ${call.journalId}${recorded ? ` (it recorded ${recorded.name} there)` : ''}; --tools recorded runs no tool`,
          diff: '',
        }),
      );
    }
    const text = normaliser ? normaliser.restore(recorded.result) : recorded.result;
    const completion =
      call.name === COMPLETE_TOOL_NAME && !recorded.isError
        ? acceptedCompletion(current?.workdir ?? '.', call.input)
        : undefined;
    return Promise.resolve({ text, isError: recorded.isError, ...(completion ? { completion } : {}) });
  }

  return { models, library, runId: () => current?.runId };
}

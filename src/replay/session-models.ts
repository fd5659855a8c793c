import type { AgentDefinition } from '../config/load-swarm.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ChatModel, ChatRequest, ChatResponse } from '../providers/chat-types.js';
import type { SqliteDatabase } from '../state/database.js';
import type { RunDependencies } from '../runtime/run-context.js';
import { RequestIdentifier, RequestNormaliser, type RequestAsker } from './request-identity.js';
import { RequestRecorder } from './request-recorder.js';

/** What a session knows of its run when it builds an agent's model. */
export interface ModelScope {
  runId: string;
  workdir: string;
  runDirectory: string;
  database: SqliteDatabase;
  scrubber?: SecretScrubber;
}

/**
 * Where a session's agents get their models (and tool results) from: the providers, recorded (every run), or a
 * recording replayed (`mux-swarm replay`).
 */
export interface SessionModels {
  /** True when no provider is asked: keys and prices are not checked, and no endpoint advice is given. */
  readonly offline: boolean;
  /** The model `agent` talks to; `live` builds the one its configured provider serves. */
  modelFor(agent: AgentDefinition, live: () => ChatModel, scope: ModelScope): ChatModel;
  /** Answers tool calls instead of running them (`replay --tools recorded`); see RunDependencies.toolStandIn. */
  toolStandIn?: RunDependencies['toolStandIn'];
}

/** Who asks, as the request hash names it: the agent and its configured provider/model. */
export function askerOf(agent: AgentDefinition): RequestAsker {
  return { agent: agent.name, provider: agent.provider, model: agent.model };
}

/**
 * Wraps `model` so that each request's identity (hash, tool set, message count) is journaled on its model call
 * before it is sent. Recording never fails a call: a journal error is left to the call's own journaling.
 */
export function recordingModel(
  model: ChatModel,
  asker: RequestAsker,
  identifier: RequestIdentifier,
  recorder: RequestRecorder,
): ChatModel {
  return {
    provider: model.provider,
    model: model.model,
    complete(request: ChatRequest): Promise<ChatResponse> {
      try {
        recorder.record(
          identifier.identify(asker, request.messages, request.tools),
          request.messages.length,
          request.modelCallId,
        );
      } catch {
        // The hash is for replay only: the run goes on without it.
      }
      return model.complete(request);
    },
    ...(model.contextWindow ? { contextWindow: () => model.contextWindow!() } : {}),
  };
}

/** One recorder and identifier per run (the first scope seen). */
export class RunRecording {
  private current: { runId: string; identifier: RequestIdentifier; recorder: RequestRecorder } | undefined;

  /** `model` recorded for `agent` in the run of `scope`. */
  wrap(agent: AgentDefinition, model: ChatModel, scope: ModelScope): ChatModel {
    if (this.current?.runId !== scope.runId) {
      this.current = {
        runId: scope.runId,
        identifier: new RequestIdentifier(new RequestNormaliser(scope, scope.scrubber)),
        recorder: new RequestRecorder(scope.database),
      };
    }
    return recordingModel(model, askerOf(agent), this.current.identifier, this.current.recorder);
  }
}

/** The default: every agent talks to its provider, and what it asks is recorded for replay. */
export function liveModels(): SessionModels {
  const recording = new RunRecording();
  return {
    offline: false,
    modelFor: (agent, live, scope) => recording.wrap(agent, live(), scope),
  };
}

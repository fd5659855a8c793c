import type { Attributes } from '@opentelemetry/api';
import type {
  AssistantEvent,
  DelegationEndEvent,
  DelegationStartEvent,
  ResultEvent,
  RunEvent,
  UserEvent,
} from '../events/event-schema.js';

/**
 * The span attributes built from each event: the OpenTelemetry GenAI semantic conventions where one fits
 * (`gen_ai.*`), mux-swarm's own (`mux_swarm.*`) for the rest. Text an agent or a model wrote (tasks, replies, tool
 * arguments and results, summaries) only when `content` is true; the events are scrubbed of secrets already.
 */

/** The provider and model an agent asks, as the run's `init` event lists them. */
export interface AgentModel {
  provider: string;
  model: string;
}

type ToolResult = UserEvent['message']['content'][number];

export function delegationStartAttributes(
  event: DelegationStartEvent,
  model: AgentModel | undefined,
  content: boolean,
): Attributes {
  return {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': event.agent,
    ...(model ? { 'gen_ai.provider.name': model.provider, 'gen_ai.request.model': model.model } : {}),
    'mux_swarm.delegation.id': event.delegation_id,
    ...(event.parent_delegation_id ? { 'mux_swarm.delegation.parent_id': event.parent_delegation_id } : {}),
    'mux_swarm.delegation.from': event.from,
    'mux_swarm.delegation.depth': event.depth,
    ...(content ? { 'mux_swarm.delegation.task': event.task } : {}),
  };
}

export function delegationEndAttributes(event: DelegationEndEvent, content: boolean): Attributes {
  return {
    'mux_swarm.delegation.status': event.status,
    'mux_swarm.delegation.stop_reason': event.stop_reason,
    'mux_swarm.delegation.turns': event.turns,
    'mux_swarm.cost_usd': event.cost_usd,
    ...(content ? { 'mux_swarm.delegation.summary': event.summary } : {}),
  };
}

export function chatAttributes(event: AssistantEvent, model: AgentModel | undefined, content: boolean): Attributes {
  const toolCalls = event.message.content.filter((block) => block.type === 'tool_use');
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.agent.name': event.agent,
    ...(model ? { 'gen_ai.provider.name': model.provider, 'gen_ai.request.model': model.model } : {}),
    'gen_ai.response.model': event.message.model,
    'gen_ai.usage.input_tokens': event.usage.input_tokens,
    'gen_ai.usage.output_tokens': event.usage.output_tokens,
    'gen_ai.usage.cache_read.input_tokens': event.usage.cache_read_input_tokens,
    'mux_swarm.usage.reasoning_tokens': event.usage.reasoning_tokens,
    'mux_swarm.cost_usd': event.cost_usd,
    'mux_swarm.delegation.id': event.delegation_id,
    'mux_swarm.turn': event.turn,
    'mux_swarm.tool_calls': toolCalls.map((block) => block.name),
    ...(content ? { 'gen_ai.output.messages': JSON.stringify([event.message]) } : {}),
  };
}

/** A model call that failed over: the chain entry (`provider/model`) that failed, why, and the one asked next. */
export function failoverAttributes(event: Extract<RunEvent, { type: 'model-failover' }>): Attributes {
  const slash = event.from.indexOf('/');
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.agent.name': event.agent,
    'gen_ai.provider.name': event.from.slice(0, slash),
    'gen_ai.request.model': event.from.slice(slash + 1),
    'error.type': event.kind,
    'mux_swarm.delegation.id': event.delegation_id,
    ...(event.to ? { 'mux_swarm.failover.to': event.to } : {}),
  };
}

export function toolAttributes(event: UserEvent, result: ToolResult, input: unknown, content: boolean): Attributes {
  return {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.agent.name': event.agent,
    'gen_ai.tool.name': result.name,
    'gen_ai.tool.call.id': result.tool_use_id,
    'gen_ai.tool.type': 'function',
    'mux_swarm.delegation.id': event.delegation_id,
    'mux_swarm.tool.duration_ms': result.duration_ms,
    ...(result.spilled_to ? { 'mux_swarm.tool.spilled_to': result.spilled_to } : {}),
    ...(content
      ? {
          ...(input === undefined ? {} : { 'gen_ai.tool.call.arguments': JSON.stringify(input) }),
          'gen_ai.tool.call.result': result.content,
        }
      : {}),
  };
}

export function resultAttributes(event: ResultEvent, content: boolean): Attributes {
  return {
    'mux_swarm.result.subtype': event.subtype,
    'mux_swarm.exit_code': event.exit_code,
    'process.exit.code': event.exit_code,
    'mux_swarm.num_turns': event.num_turns,
    'mux_swarm.cost_usd': event.total_cost_usd,
    'gen_ai.usage.input_tokens': event.usage.input_tokens,
    'gen_ai.usage.output_tokens': event.usage.output_tokens,
    'mux_swarm.duration_ms': event.duration_ms,
    ...(event.phases
      ? { 'mux_swarm.phases.done': event.phases.done, 'mux_swarm.phases.total': event.phases.total }
      : {}),
    ...(content ? { 'mux_swarm.result': event.result } : {}),
  };
}

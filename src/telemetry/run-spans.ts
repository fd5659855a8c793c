import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { AssistantEvent, RunEvent, UserEvent } from '../events/event-schema.js';
import { OpenDelegations } from './open-delegations.js';
import {
  chatAttributes,
  delegationEndAttributes,
  delegationStartAttributes,
  failoverAttributes,
  resultAttributes,
  toolAttributes,
  type AgentModel,
} from './span-attributes.js';

/**
 * Turns the run's event stream into a span tree, after the fact: one span for the run, one per delegation (a child
 * of the delegating delegation's span, the root task's of the run's), and, inside a delegation, one per model call
 * and one per tool call. Events carry when they happened, not when they began: a tool call began its `duration_ms`
 * before its result; a model call began when its delegation's previous event came (the start, the last tool result,
 * a failover), as the agent loop asks the model again at once.
 */
export class RunSpans {
  private readonly run: Span;
  private readonly models = new Map<string, AgentModel>();
  private readonly delegations: OpenDelegations;
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    runId: string,
    private readonly content: boolean,
    startedAt = Date.now(),
  ) {
    this.run = tracer.startSpan(
      'mux-swarm run',
      { kind: SpanKind.INTERNAL, startTime: startedAt, attributes: { 'mux_swarm.run.id': runId } },
      ROOT_CONTEXT,
    );
    this.delegations = new OpenDelegations(tracer, trace.setSpan(ROOT_CONTEXT, this.run), this.models, startedAt);
  }

  /** For `EventBus.subscribe`. */
  readonly listener = (event: RunEvent): void => this.handle(event);

  handle(event: RunEvent): void {
    if (this.ended) return;
    const at = Date.parse(event.timestamp);
    switch (event.type) {
      case 'system':
        if (event.subtype === 'warning') this.run.addEvent('warning', { message: event.message }, at);
        else {
          for (const agent of event.agents)
            this.models.set(agent.name, { provider: agent.provider, model: agent.model });
          this.run.setAttributes({
            'mux_swarm.goal.name': event.goal.name,
            'mux_swarm.mode': event.mode,
            ...(event.resumed_session ? { 'mux_swarm.resumed_session': event.resumed_session } : {}),
          });
        }
        return;
      case 'delegation-start': {
        const attributes = delegationStartAttributes(event, this.models.get(event.agent), this.content);
        this.delegations.start(event.delegation_id, event.parent_delegation_id, event.agent, attributes, at);
        return;
      }
      case 'delegation-end': {
        const { span } = this.delegations.get(event.delegation_id, event.agent);
        span.setAttributes(delegationEndAttributes(event, this.content));
        if (event.status === 'failure' || event.status === 'stuck' || event.stop_reason === 'error')
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${event.status} (${event.stop_reason})` });
        span.end(at);
        this.delegations.delete(event.delegation_id);
        return;
      }
      case 'assistant':
        return this.modelCall(event, at);
      case 'user':
        return this.toolCalls(event, at);
      case 'model-failover': {
        // The entry that failed: a model call of its own, ended by the failure.
        const open = this.delegations.get(event.delegation_id, event.agent);
        const attributes = failoverAttributes(event);
        const span = this.tracer.startSpan(
          `chat ${String(attributes['gen_ai.request.model'])}`,
          { kind: SpanKind.CLIENT, startTime: open.lastEventAt, attributes },
          open.context,
        );
        span.setStatus({ code: SpanStatusCode.ERROR, message: event.reason });
        span.end(at);
        open.lastEventAt = at;
        return;
      }
      case 'stuck': {
        const { span } = this.delegations.get(event.delegation_id, event.agent);
        // The detail names the repeated call with its arguments: content.
        const detail = this.content ? { detail: event.detail } : {};
        span.addEvent('stuck', { pattern: event.pattern, action: event.action, ...detail }, at);
        return;
      }
      case 'budget-warning':
        this.run.addEvent('budget-warning', { budget: event.budget, used: event.used, limit: event.limit }, at);
        return;
      case 'result':
        this.run.setAttributes(resultAttributes(event, this.content));
        if (event.is_error) this.run.setStatus({ code: SpanStatusCode.ERROR, message: event.subtype });
        this.end(at);
        return;
      default:
        return;
    }
  }

  /** Ends every open span (a run that stops without its `result` event ends them when it closes). */
  end(at = Date.now()): void {
    if (this.ended) return;
    this.ended = true;
    this.delegations.endAll(at);
    this.run.end(at);
  }

  private modelCall(event: AssistantEvent, at: number): void {
    const open = this.delegations.get(event.delegation_id, event.agent);
    const model = this.models.get(event.agent);
    const span = this.tracer.startSpan(
      `chat ${model?.model ?? event.message.model}`,
      { kind: SpanKind.CLIENT, startTime: open.lastEventAt, attributes: chatAttributes(event, model, this.content) },
      open.context,
    );
    span.end(at);
    open.lastEventAt = at;
    for (const block of event.message.content)
      if (block.type === 'tool_use') open.toolInputs.set(block.id, block.input);
  }

  private toolCalls(event: UserEvent, at: number): void {
    const open = this.delegations.get(event.delegation_id, event.agent);
    for (const result of event.message.content) {
      const input = open.toolInputs.get(result.tool_use_id);
      open.toolInputs.delete(result.tool_use_id);
      const span = this.tracer.startSpan(
        `execute_tool ${result.name}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: at - result.duration_ms,
          attributes: toolAttributes(event, result, input, this.content),
        },
        open.context,
      );
      if (result.is_error) {
        span.setAttribute('error.type', 'tool_error');
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: this.content ? result.content : 'the tool reported an error',
        });
      }
      span.end(at);
    }
    open.lastEventAt = Math.max(open.lastEventAt, at);
  }
}

import {
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { AgentModel } from './span-attributes.js';

/** A delegation's span while it runs, and what its model and tool call spans need. */
export interface OpenDelegation {
  span: Span;
  /** The context its children are started in. */
  context: Context;
  /** When this delegation's last model reply, tool result or failover came: its next model call started then. */
  lastEventAt: number;
  /** The arguments of the tool calls its model asked for, by call id, until their results come. */
  toolInputs: Map<string, unknown>;
}

/** The delegations of a run whose spans are open, by delegation id. */
export class OpenDelegations {
  private readonly open = new Map<string, OpenDelegation>();

  constructor(
    private readonly tracer: Tracer,
    private readonly runContext: Context,
    private readonly models: ReadonlyMap<string, AgentModel>,
    /** When this session of the run started. */
    private readonly sessionStart: number,
  ) {}

  /** A delegation that starts: a child of the delegation that made it, or of the run for the root task. */
  start(id: string, parentId: string | null, agent: string, attributes: Attributes, at: number): void {
    const parent = parentId ? this.open.get(parentId) : undefined;
    this.add(id, agent, attributes, at, parent?.context ?? this.runContext);
  }

  /**
   * The open span of a delegation. A run resumed after a restart goes on with the delegations that were in progress
   * without starting them again: such a delegation gets its span at its first event, as a child of the nearest open
   * delegation its id descends from (`d1.2.0` from `d1`), or of the run, starting when this session did.
   */
  get(id: string, agent: string): OpenDelegation {
    const known = this.open.get(id);
    if (known) return known;
    const ancestor = [...this.open.keys()]
      .filter((candidate) => id.startsWith(`${candidate}.`))
      .sort((a, b) => b.length - a.length)[0];
    const model = this.models.get(agent);
    const attributes = {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agent,
      ...(model ? { 'gen_ai.provider.name': model.provider, 'gen_ai.request.model': model.model } : {}),
      'mux_swarm.delegation.id': id,
      'mux_swarm.delegation.resumed': true,
    };
    const parent = ancestor ? this.open.get(ancestor)!.context : this.runContext;
    return this.add(id, agent, attributes, this.sessionStart, parent);
  }

  /** Forgets a delegation whose span the caller ends. */
  delete(id: string): void {
    this.open.delete(id);
  }

  /** Ends every span still open, children first. */
  endAll(at: number): void {
    for (const open of [...this.open.values()].reverse()) open.span.end(at);
    this.open.clear();
  }

  private add(id: string, agent: string, attributes: Attributes, at: number, parent: Context): OpenDelegation {
    const span = this.tracer.startSpan(
      `invoke_agent ${agent}`,
      { kind: SpanKind.INTERNAL, startTime: at, attributes },
      parent,
    );
    const open = { span, context: trace.setSpan(ROOT_CONTEXT, span), lastEventAt: at, toolInputs: new Map() };
    this.open.set(id, open);
    return open;
  }
}

import type { InFlightCall } from '../events/event-schema.js';

/** What is about to be waited for: a model call (`model` is `provider/model`) or a tool call. */
export type ActivityStart =
  | { kind: 'model'; agent: string; delegationId: string; model: string }
  | { kind: 'tool'; agent: string; delegationId: string; tool: string };

/** One call in flight, as its caller holds it. */
export interface ActivityHandle {
  /**
   * Streaming model calls: the characters of text and tool-call arguments received so far (in this attempt).
   * A bound function, so that it can be handed to the provider as its progress callback as it is.
   */
  readonly streamed: (characters: number) => void;
  /** The call returned or failed; idempotent. */
  end(): void;
}

/** Characters per token, for the estimate of tokens streamed so far (the usage is only known at the end). */
const CHARACTERS_PER_TOKEN = 4;

/**
 * The model and tool calls a run is waiting for right now, for the signs of life (the `heartbeat` event, the
 * waiting line of text mode). Beginning and ending a call is O(1) and a streamed chunk only sets a number: the
 * snapshot, which is rare (a timer's tick), does the work.
 */
export class RunActivity {
  /** In start order: a Set keeps insertion order, so the longest-waiting call comes first. */
  private readonly calls = new Set<Activity>();

  constructor(private readonly now: () => number = Date.now) {}

  begin(start: ActivityStart): ActivityHandle {
    const activity = new Activity(start, this.now(), this.calls);
    this.calls.add(activity);
    return activity;
  }

  /** How many calls are in flight. */
  get size(): number {
    return this.calls.size;
  }

  /** The calls in flight, longest-waiting first, in the shape the `heartbeat` event carries. */
  inFlight(): InFlightCall[] {
    const now = this.now();
    return [...this.calls].map((activity) => activity.snapshot(now));
  }
}

class Activity implements ActivityHandle {
  /** Undefined until the provider reports streamed progress: a call that does not stream has no count. */
  private characters: number | undefined;

  constructor(
    private readonly start: ActivityStart,
    private readonly startedAt: number,
    private readonly registry: Set<Activity>,
  ) {}

  readonly streamed = (characters: number): void => {
    this.characters = characters;
  };

  end(): void {
    this.registry.delete(this);
  }

  snapshot(now: number): InFlightCall {
    const { start } = this;
    return {
      agent: start.agent,
      delegation_id: start.delegationId,
      kind: start.kind,
      ...(start.kind === 'model' ? { model: start.model } : { tool: start.tool }),
      elapsed_ms: Math.max(0, now - this.startedAt),
      ...(this.characters === undefined ? {} : { tokens_streamed: Math.ceil(this.characters / CHARACTERS_PER_TOKEN) }),
    };
  }
}

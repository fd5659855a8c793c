import { describeError } from '../errors/mux-swarm-error.js';
import { ModelChainError, type ChainEntryFailure, type ModelFailureKind } from '../errors/model-chain-error.js';
import { ProviderRequestError } from '../errors/provider-request-error.js';
import { RequestAbortedError } from '../errors/request-aborted-error.js';
import type { ChatModel, ChatRequest, ChatResponse } from './chat-types.js';
import type { ModelCooldowns } from './model-cooldowns.js';
import { classifyModelFailure } from './provider-outage.js';

/** One entry of a failover chain: a model on a provider, ready to be asked. */
export interface ChainEntry {
  provider: string;
  model: string;
  chatModel: ChatModel;
}

/** A call moved off an entry: for the `model-failover` event and the journal. */
export interface FailoverNotice {
  /** `provider/model` of the entry that failed. */
  from: string;
  /** The entry asked next; undefined when none was left. */
  to: string | undefined;
  kind: ModelFailureKind;
  reason: string;
  /** Until when (ms since the epoch) the entry is passed over; undefined: for the rest of this session (auth). */
  cooledUntilMs: number | undefined;
  /** How long the failed try took, the provider's retries included. */
  durationMs: number;
}

export interface FailoverOptions {
  /** The agent the chain serves (for messages). */
  agent: string;
  /** Shared by every chain of the run: an entry that failed for one agent is passed over by all. */
  cooldowns: ModelCooldowns;
  cooldownMs: number;
  now?: () => number;
}

/** Failures that move a call to the next entry; anything else is the request's fault and ends the call as it is. */
const MOVES_ON: ReadonlySet<ModelFailureKind> = new Set(['outage', 'auth', 'model-not-found', 'context-length']);

/**
 * An agent's failover chain (docs/failover.md), as one ChatModel. Each call starts at the first entry that is not
 * cooling down, so calls go back up the chain once an entry has cooled. An entry that fails with an outage (after its
 * provider's retries; a 429 asking to wait longer than failover.maxWait gives up at once), a missing model, or a
 * context-length refusal when the next entry's window is larger, cools down and the call moves on. A refused key
 * (401/403) is never passed over silently: it is reported, and the entry is skipped for the rest of the session.
 * When every entry failed, the call fails with a ModelChainError, an outage when any entry was down.
 */
export class FailoverChatModel implements ChatModel {
  readonly provider: string;
  readonly model: string;

  constructor(
    private readonly entries: readonly ChainEntry[],
    private readonly options: FailoverOptions,
  ) {
    this.provider = entries[0]!.provider;
    this.model = entries[0]!.model;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const { cooldowns } = this.options;
    const failures: ChainEntryFailure[] = [];
    const order = this.order();
    for (const [position, entry] of order.entries()) {
      const label = labelOf(entry);
      const started = this.now();
      try {
        const response = await entry.chatModel.complete(request);
        return { ...response, provider: entry.provider, requestedModel: entry.model };
      } catch (error) {
        if (error instanceof RequestAbortedError || request.signal?.aborted) throw error;
        const kind = classifyModelFailure(error);
        const next = order[position + 1];
        if (!MOVES_ON.has(kind) || (kind === 'context-length' && !(await this.largerWindow(entry, next)))) {
          if (failures.length === 0) throw error;
          failures.push({ entry: label, kind, message: describeError(error) });
          throw new ModelChainError(this.options.agent, failures);
        }
        const cooledUntilMs =
          kind === 'auth' ? undefined : this.now() + Math.max(this.options.cooldownMs, retryAfterOf(error));
        cooldowns.cool(label, cooledUntilMs, kind);
        failures.push({ entry: label, kind, message: describeError(error) });
        request.onFailover?.({
          from: label,
          to: next && labelOf(next),
          kind,
          reason: describeError(error),
          cooledUntilMs,
          durationMs: this.now() - started,
        });
      }
    }
    throw new ModelChainError(this.options.agent, failures);
  }

  contextWindow(): Promise<number | undefined> {
    return this.entries[0]!.chatModel.contextWindow?.() ?? Promise.resolve(undefined);
  }

  /**
   * The entries to try, in chain order: those not cooling down, then (so that a call is never refused without a
   * request) those cooling after an outage, soonest back first. Entries whose key was refused are left out.
   */
  private order(): ChainEntry[] {
    const now = this.now();
    const ready: ChainEntry[] = [];
    const cooling: Array<{ entry: ChainEntry; untilMs: number }> = [];
    for (const entry of this.entries) {
      const state = this.options.cooldowns.state(labelOf(entry), now);
      if (state === undefined) ready.push(entry);
      else if (state.untilMs !== undefined) cooling.push({ entry, untilMs: state.untilMs });
    }
    return [...ready, ...cooling.sort((a, b) => a.untilMs - b.untilMs).map(({ entry }) => entry)];
  }

  /** Whether the next entry's context window is known to be larger than this one's (a longer request may fit there). */
  private async largerWindow(entry: ChainEntry, next: ChainEntry | undefined): Promise<boolean> {
    if (next === undefined) return false;
    const [current, following] = await Promise.all([
      entry.chatModel.contextWindow?.(),
      next.chatModel.contextWindow?.(),
    ]);
    return current !== undefined && following !== undefined && following > current;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}

export function labelOf(entry: { provider: string; model: string }): string {
  return `${entry.provider}/${entry.model}`;
}

function retryAfterOf(error: unknown): number {
  return error instanceof ProviderRequestError ? (error.retryAfterMs ?? 0) : 0;
}

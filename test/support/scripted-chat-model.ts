import type { ChatModel, ChatRequest, ChatResponse, CostSource } from '../../src/providers/chat-types.js';

/** One scripted model turn: text and/or tool calls, or an error to throw. */
export interface ScriptedTurn {
  content?: string;
  toolCalls?: Array<{ name: string; arguments?: unknown; id?: string }>;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** Default: 'provider' when costUsd is given, else 'unknown'. */
  costSource?: CostSource;
  /** Wait this long first (honouring the request's abort signal). */
  delayMs?: number;
  error?: Error;
}

export type ScriptedReply = ScriptedTurn | ((request: ChatRequest) => ScriptedTurn);

/**
 * An in-process ChatModel for runtime tests: answers from a script, records every request, and honours
 * cancellation like a real client. Runs out of script → throws, so a test notices an unexpected call.
 */
export class ScriptedChatModel implements ChatModel {
  readonly requests: ChatRequest[] = [];
  /** What `contextWindow()` answers, as the model catalogue would; undefined: unknown. */
  catalogueContextWindow: number | undefined;
  private readonly replies: ScriptedReply[];

  constructor(
    readonly model: string,
    replies: ScriptedReply[],
    readonly provider = 'scripted',
  ) {
    this.replies = [...replies];
  }

  get remaining(): number {
    return this.replies.length;
  }

  async contextWindow(): Promise<number | undefined> {
    return this.catalogueContextWindow;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push({ ...request, messages: structuredClone(request.messages) });
    const next = this.replies.shift();
    if (!next) throw new Error(`scripted model ${this.model}: no reply left for request ${this.requests.length}`);
    const turn = typeof next === 'function' ? next(request) : next;
    if (turn.delayMs) await abortableDelay(turn.delayMs, request.signal);
    if (request.signal?.aborted) throw request.signal.reason ?? new Error('aborted');
    if (turn.error) throw turn.error;
    return {
      content: turn.content ?? null,
      toolCalls: (turn.toolCalls ?? []).map((call, index) => ({
        id: call.id ?? `call_${this.requests.length}_${index}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
      })),
      toolCallsFromText: false,
      finishReason: turn.toolCalls?.length ? 'tool_calls' : 'stop',
      usage: {
        inputTokens: turn.inputTokens ?? 100,
        outputTokens: turn.outputTokens ?? 20,
        cachedInputTokens: 0,
        reasoningTokens: 0,
      },
      costUsd: turn.costUsd ?? 0,
      costSource: turn.costSource ?? (turn.costUsd === undefined ? 'unknown' : 'provider'),
      model: this.model,
      provider: this.provider,
      durationMs: turn.delayMs ?? 1,
      attempts: 1,
    };
  }
}

function abortableDelay(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

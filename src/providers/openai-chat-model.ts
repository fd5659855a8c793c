import { BadRequestError } from 'openai';
import type OpenAI from 'openai';
import { RequestAbortedError } from '../errors/request-aborted-error.js';
import { ChatStreamAccumulator, type AccumulatedCompletion } from './chat-stream-accumulator.js';
import {
  buildChatRequestBody,
  defaultTokenLimitField,
  wantsOtherTokenLimitField,
  type TokenLimitField,
} from './chat-request-body.js';
import type { ChatModel, ChatRequest, ChatResponse, ToolCall } from './chat-types.js';
import { computeCost } from './cost.js';
import type { ProviderConnection } from './provider-connection.js';
import { describeFailure, toProviderError } from './provider-error-translation.js';
import { AttemptTimeoutError, MalformedResponseError } from './provider-failure.js';
import { withRetries } from './retry-policy.js';
import { newToolCallId } from './tool-call-id.js';
import { parseToolCallsFromText } from './tool-call-text-parser.js';
import { mapUsage, reportedCost } from './usage.js';
import { failPoint } from '../supervisor/fail-points.js';

export interface ChatModelParams {
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  /**
   * Per attempt: the whole request when not streaming; when streaming, the wait for the first byte and
   * between chunks (a long answer that keeps coming is not cut off).
   */
  timeoutMs: number;
  /** See RetryPolicy.giveUpOverRetryAfterMs: set on the entries of a failover chain that are not the last. */
  giveUpOverRetryAfterMs?: number | undefined;
}

/** One model on an OpenAI-compatible endpoint, through the `openai` package's chat.completions.create. */
export class OpenAIChatModel implements ChatModel {
  readonly provider: string;
  private tokenLimitField: TokenLimitField;
  private catalogueWindow: Promise<number | undefined> | undefined;

  constructor(
    private readonly connection: ProviderConnection,
    readonly model: string,
    private readonly params: ChatModelParams,
  ) {
    this.provider = connection.identity.name;
    this.tokenLimitField = defaultTokenLimitField(connection.identity.baseURL);
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const started = Date.now();
    const { identity, retryPolicy, onRetry } = this.connection;
    const what = `The request to model "${this.model}" on provider "${this.provider}"`;
    if (request.signal?.aborted) throw new RequestAbortedError(what, { cause: request.signal.reason });
    const { value, attempts } = await withRetries(() => this.attempt(request, what), {
      policy:
        this.params.giveUpOverRetryAfterMs === undefined
          ? retryPolicy
          : { ...retryPolicy, giveUpOverRetryAfterMs: this.params.giveUpOverRetryAfterMs },
      signal: request.signal,
      what,
      describe: (failure) => describeFailure(failure, identity.scrubber),
      onRetry: onRetry && ((notice) => onRetry({ provider: this.provider, model: this.model, ...notice })),
      toError: (error, attemptCount) =>
        toProviderError(error, attemptCount, {
          provider: identity,
          model: this.model,
          listModels: () => this.connection.listModelsOnce(request.signal),
        }),
    });
    return this.toResponse(value, request, attempts, started);
  }

  /**
   * The catalogue's context window for this model, looked up once. A free provider (a local server) is only looked up
   * when config names its `catalogue` provider: the catalogue has no local endpoints, and loading it would be wasted.
   */
  contextWindow(): Promise<number | undefined> {
    const { free, catalogue, loadCatalogue } = this.connection;
    if (free && catalogue.providerId === undefined) return Promise.resolve(undefined);
    this.catalogueWindow ??= loadCatalogue()
      .then((loaded) => loaded.find({ ...catalogue, modelIds: [this.model] })?.contextWindow)
      .catch(() => undefined);
    return this.catalogueWindow;
  }

  /** One attempt under its own deadline; the caller's signal aborts it too. */
  private async attempt(request: ChatRequest, what: string): Promise<AccumulatedCompletion> {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const armDeadline = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.params.timeoutMs);
    };
    armDeadline();
    try {
      return await this.send(request, controller.signal, armDeadline);
    } catch (error) {
      if (request.signal?.aborted) throw new RequestAbortedError(what, { cause: error });
      if (timedOut) throw new AttemptTimeoutError(this.params.timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Sends once; if the endpoint says it wants the other token-limit field, switches (for good) and sends again. */
  private async send(
    request: ChatRequest,
    signal: AbortSignal,
    onProgress: () => void,
  ): Promise<AccumulatedCompletion> {
    try {
      return await this.sendOnce(request, signal, onProgress);
    } catch (error) {
      const hasLimit = (request.maxOutputTokens ?? this.params.maxOutputTokens) !== undefined;
      if (
        !hasLimit ||
        !(error instanceof BadRequestError) ||
        !wantsOtherTokenLimitField(error.message, this.tokenLimitField)
      )
        throw error;
      this.tokenLimitField = this.tokenLimitField === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
      return this.sendOnce(request, signal, onProgress);
    }
  }

  private async sendOnce(
    request: ChatRequest,
    signal: AbortSignal,
    onProgress: () => void,
  ): Promise<AccumulatedCompletion> {
    const body = buildChatRequestBody({
      model: this.model,
      request,
      params: this.params,
      tokenLimitField: this.tokenLimitField,
    });
    const options = { signal, timeout: this.params.timeoutMs };
    const completions = this.connection.client.chat.completions;
    if (!this.connection.stream) return fromCompletion(await completions.create(body, options));

    const stream = await completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      options,
    );
    const accumulator = new ChatStreamAccumulator();
    let first = true;
    for await (const chunk of stream) {
      if (first) failPoint('model-stream');
      first = false;
      onProgress();
      const text = accumulator.add(chunk);
      if (text !== undefined) request.onTextDelta?.(text);
      request.onStreamProgress?.(accumulator.characters);
    }
    // The openai stream ends quietly when aborted: make that an error.
    if (signal.aborted) throw new Error('stream aborted');
    return accumulator.result();
  }

  private async toResponse(
    completion: AccumulatedCompletion,
    request: ChatRequest,
    attempts: number,
    started: number,
  ): Promise<ChatResponse> {
    let { content, toolCalls } = completion;
    let toolCallsFromText = false;
    let textDialect: ChatResponse['textDialect'];
    if (toolCalls.length === 0 && content && request.tools.length > 0) {
      const recovered = parseToolCallsFromText(
        content,
        request.tools.map((tool) => tool.name),
      );
      if (recovered.toolCalls.length > 0) {
        toolCalls = recovered.toolCalls;
        content = recovered.text === '' ? null : recovered.text;
        toolCallsFromText = true;
        textDialect = recovered.dialect;
      }
    }
    const durationMs = Date.now() - started; // the call's time, not the catalogue's first load
    const usage = mapUsage(completion.usage);
    const modelIds =
      completion.model && completion.model !== this.model ? [this.model, completion.model] : [this.model];
    const { prices, free, catalogue, loadCatalogue } = this.connection;
    const { costUsd, costSource } = await computeCost({
      usage,
      reportedCostUsd: reportedCost(completion.usage),
      modelIds,
      prices,
      free,
      catalogue,
      loadCatalogue,
    });
    return {
      content,
      toolCalls,
      toolCallsFromText,
      ...(textDialect ? { textDialect } : {}),
      finishReason: completion.finishReason,
      usage,
      costUsd,
      costSource,
      model: completion.model || this.model,
      provider: this.provider,
      requestedModel: this.model,
      durationMs,
      attempts,
    };
  }
}

/** A non-streamed completion in the accumulator's shape; a 200 without choices (OpenRouter can send `{error}`) is malformed. */
function fromCompletion(completion: OpenAI.ChatCompletion): AccumulatedCompletion {
  const choice = completion.choices?.[0];
  if (!choice) {
    const error = (completion as { error?: { message?: unknown } }).error;
    const message = typeof error?.message === 'string' ? error.message : 'the reply held no choices';
    throw new MalformedResponseError(message);
  }
  const toolCalls: ToolCall[] = (choice.message.tool_calls ?? [])
    .filter((call) => call.type === 'function')
    .map((call) => ({
      id: call.id || newToolCallId(),
      name: call.function.name,
      arguments: call.function.arguments || '{}',
    }));
  return {
    content: choice.message.content ?? null,
    toolCalls,
    finishReason: choice.finish_reason ?? null,
    usage: completion.usage,
    model: completion.model,
  };
}

import type OpenAI from 'openai';
import type { FailoverNotice } from './failover-chat-model.js';
import type { TextToolCallDialect } from './tool-call-text-parser.js';

/** Messages use the OpenAI chat-completions shape: every supported endpoint speaks it. */
export type ChatMessage = OpenAI.ChatCompletionMessageParam;

/** A tool as a model sees it: `server__tool` name, description, JSON Schema of the arguments. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolDefinition[];
  temperature?: number;
  maxOutputTokens?: number;
  /** Cancels the request (and any retry wait). */
  signal?: AbortSignal;
  /** Streaming only: called with each piece of assistant text as it arrives. */
  onTextDelta?: (text: string) => void;
  /**
   * Streaming only: called with each chunk, with the characters of text and tool-call arguments received so far
   * in this attempt (a sign of life for whoever waits; a retry starts again from 0).
   */
  onStreamProgress?: (characters: number) => void;
  /** A failover chain moved the call off an entry (see failover-chat-model.ts). */
  onFailover?: (notice: FailoverNotice) => void;
  /** The journal row of this call (its intent), for what records the request against it (replay's recorder). */
  modelCallId?: number;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model produced; parsed (and validated) by whoever runs the tool. */
  arguments: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's cache, when it says so. */
  cachedInputTokens: number;
  /** Reasoning tokens, when the provider reports them (already counted in outputTokens). */
  reasoningTokens: number;
}

/**
 * Where a call's cost came from: the provider's own figure, a provider marked free, config.json `prices`, the model
 * catalogue, or nowhere ('unknown': counted as 0, reported as unknown, refused under a USD budget).
 */
export type CostSource = 'provider' | 'free' | 'price-table' | 'catalogue' | 'unknown';

export interface ChatResponse {
  content: string | null;
  toolCalls: ToolCall[];
  /** True when the tool calls were recovered from JSON written in the text instead of the tool-call field. */
  toolCallsFromText: boolean;
  /** With toolCallsFromText: the text form the calls were written in (Hermes, Mistral, Llama, a fence, bare JSON). */
  textDialect?: TextToolCallDialect;
  finishReason: string | null;
  usage: Usage;
  /** USD for this call, from the first source that has it (see CostSource); 0 when the source is 'unknown'. */
  costUsd: number;
  costSource: CostSource;
  /** Model id the endpoint says answered (may differ from the one asked for, e.g. OpenRouter routing). */
  model: string;
  provider: string;
  /**
   * The configured model id that was asked, when it is not the ChatModel's own `model`: the entry of a failover chain
   * that answered. Usage and cost are counted under it.
   */
  requestedModel?: string;
  durationMs: number;
  /** Attempts it took, 1 when the first one succeeded. */
  attempts: number;
}

/** One model on one provider, with its parameters bound: what an agent talks to. */
export interface ChatModel {
  readonly provider: string;
  readonly model: string;
  complete(request: ChatRequest): Promise<ChatResponse>;
  /** The model's context window in tokens as the model catalogue gives it; undefined when it does not know. */
  contextWindow?(): Promise<number | undefined>;
}

export interface RetryNotice {
  provider: string;
  model: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

import type OpenAI from 'openai';
import type { Usage } from './chat-types.js';

export const emptyUsage: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
});

/** Maps a response's `usage` (absent on some local servers) to ours; missing counts are 0. */
export function mapUsage(usage: OpenAI.CompletionUsage | null | undefined): Usage {
  if (!usage) return { ...emptyUsage };
  return {
    inputTokens: count(usage.prompt_tokens),
    outputTokens: count(usage.completion_tokens),
    cachedInputTokens: count(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
  };
}

/** The cost some providers (OpenRouter) report in `usage.cost`, in USD; undefined when absent. */
export function reportedCost(usage: OpenAI.CompletionUsage | null | undefined): number | undefined {
  const cost = (usage as { cost?: unknown } | null | undefined)?.cost;
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

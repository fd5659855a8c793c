import type { Price } from '../config/config-schema.js';
import type { CostSource, Usage } from './chat-types.js';

export interface Cost {
  costUsd: number;
  costSource: CostSource;
}

/**
 * The cost of one call: the provider's own figure when it reported one (OpenRouter's `usage.cost`), else the
 * price table (USD per million tokens), else 0 with source 'unknown'. Cached input tokens are billed at
 * `cachedInputPerMillion` when the table has it, else at the input price.
 */
export function computeCost(options: {
  usage: Usage;
  reportedCostUsd: number | undefined;
  /** Model ids to look up in order, e.g. the one asked for, then the one that answered. */
  modelIds: string[];
  prices: Record<string, Price>;
}): Cost {
  if (options.reportedCostUsd !== undefined) return { costUsd: options.reportedCostUsd, costSource: 'provider' };
  const price = findPrice(options.prices, options.modelIds);
  if (!price) return { costUsd: 0, costSource: 'unknown' };
  const { inputTokens, outputTokens, cachedInputTokens } = options.usage;
  const cached = Math.min(cachedInputTokens, inputTokens);
  const costUsd =
    ((inputTokens - cached) * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      outputTokens * price.outputPerMillion) /
    1_000_000;
  return { costUsd, costSource: 'price-table' };
}

/** Exact model id first, then the id without its `provider/` prefix (`openai/gpt-4o` → `gpt-4o`), for each id in turn. */
export function findPrice(prices: Record<string, Price>, modelIds: string[]): Price | undefined {
  for (const modelId of modelIds) {
    const exact = Object.hasOwn(prices, modelId) ? prices[modelId] : undefined;
    if (exact) return exact;
    const slash = modelId.indexOf('/');
    if (slash > 0) {
      const bare = modelId.slice(slash + 1);
      const unprefixed = Object.hasOwn(prices, bare) ? prices[bare] : undefined;
      if (unprefixed) return unprefixed;
    }
  }
  return undefined;
}

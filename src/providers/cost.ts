import type { Price } from '../config/config-schema.js';
import type { CostSource, Usage } from './chat-types.js';
import type { CatalogueQuery, ModelCatalogue } from './model-catalogue.js';

export interface Cost {
  costUsd: number;
  costSource: CostSource;
}

export interface CostOptions {
  usage: Usage;
  reportedCostUsd: number | undefined;
  /** Model ids to look up in order, e.g. the one asked for, then the one that answered. */
  modelIds: string[];
  prices: Record<string, Price>;
  /** The provider is marked `free` in config.json (a local endpoint). */
  free: boolean;
  /** Where the catalogue looks the model up: the provider's base URL and its `catalogue` id, if any. */
  catalogue: Omit<CatalogueQuery, 'modelIds'>;
  /** The catalogue, loaded when the steps before it found no price. */
  loadCatalogue: () => Promise<ModelCatalogue>;
}

/**
 * The cost of one call, from the first source that has it: the provider's own figure (OpenRouter's `usage.cost`);
 * 0 for a provider marked free; the `prices` table of config.json; the model catalogue; else 0 with source
 * 'unknown' (which a USD budget refuses, see RunContext). The catalogue is only loaded when it is needed.
 */
export async function computeCost(options: CostOptions): Promise<Cost> {
  const known = costWithoutCatalogue(options);
  if (known) return known;
  const catalogue = await options.loadCatalogue().catch(() => undefined);
  const priced = catalogue?.cost({ ...options.catalogue, modelIds: options.modelIds }, options.usage);
  return priced ? { costUsd: priced.costUsd, costSource: 'catalogue' } : { costUsd: 0, costSource: 'unknown' };
}

/** The steps before the catalogue: provider-reported, free, price table; undefined when none applies. */
export function costWithoutCatalogue(
  options: Pick<CostOptions, 'usage' | 'reportedCostUsd' | 'modelIds' | 'prices' | 'free'>,
): Cost | undefined {
  if (options.reportedCostUsd !== undefined) return { costUsd: options.reportedCostUsd, costSource: 'provider' };
  if (options.free) return { costUsd: 0, costSource: 'free' };
  const price = findPrice(options.prices, options.modelIds);
  return price ? { costUsd: tableCost(price, options.usage), costSource: 'price-table' } : undefined;
}

/** USD per million tokens; cached input tokens at `cachedInputPerMillion` when given, else at the input price. */
function tableCost(price: Price, usage: Usage): number {
  const { inputTokens, outputTokens, cachedInputTokens } = usage;
  const cached = Math.min(cachedInputTokens, inputTokens);
  return (
    ((inputTokens - cached) * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      outputTokens * price.outputPerMillion) /
    1_000_000
  );
}

/** Exact model id first, then the id without its `provider/` prefix (`openai/gpt-4o` → `gpt-4o`), for each id in turn. */
export function findPrice(prices: Record<string, Price>, modelIds: readonly string[]): Price | undefined {
  const found = modelIdCandidates(modelIds).find((id) => Object.hasOwn(prices, id));
  return found === undefined ? undefined : prices[found];
}

/**
 * The ids a model is looked up by, in order (the prices table and the catalogue alike): each id as given, then without
 * its `vendor/` prefix; duplicates and empty ids left out.
 */
export function modelIdCandidates(modelIds: readonly string[]): string[] {
  const ids: string[] = [];
  for (const modelId of modelIds) {
    const slash = modelId.indexOf('/');
    for (const id of slash > 0 ? [modelId, modelId.slice(slash + 1)] : [modelId])
      if (id !== '' && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

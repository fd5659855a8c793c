import type { ModelPrice, PriceCalculation, PriceOptions } from '@pydantic/genai-prices';
import type { Usage } from './chat-types.js';
import { modelIdCandidates } from './cost.js';

/**
 * The model catalogue shipped as a dependency (`@pydantic/genai-prices`, docs/providers.md says why this one): the
 * prices and context windows of some 1,700 models at 43 providers, found by the endpoint's base URL (each catalogue
 * provider has an API URL pattern) or by a catalogue provider id named in config.json (`catalogue`).
 * The data is inside the package: nothing is fetched, ever (its `updatePrices` is never called). The module is large
 * (~830 kB, ~35 ms to import), so it is loaded on first use, once per process, and only by the runs that need it.
 */
export interface ModelCatalogue {
  /** The entry the catalogue has for the first of `query.modelIds` it knows; undefined when it knows none. */
  find(query: CatalogueQuery): CatalogueEntry | undefined;
  /** What one call cost by the catalogue (tiered and time-of-day prices applied); undefined when it has no token price for the model. */
  cost(query: CatalogueQuery, usage: Usage): { costUsd: number; entry: CatalogueEntry } | undefined;
  /** The catalogue's provider ids (the values `catalogue` in config.json may take). */
  providerIds(): readonly string[];
  /** Whether `id` names a catalogue provider, as a lookup would take it (case does not matter). */
  hasProvider(id: string): boolean;
}

export interface CatalogueQuery {
  /** The endpoint's base URL, matched against the catalogue providers' API URL patterns. */
  baseURL: string;
  /** A catalogue provider id to use instead of matching the base URL (config.json `providers.<name>.catalogue`). */
  providerId?: string | undefined;
  /**
   * Model ids to look up in order (the one asked for, then the one that answered); each is also tried without its
   * `vendor/` prefix (`openai/gpt-4o` → `gpt-4o`), as the `prices` table is.
   */
  modelIds: readonly string[];
}

/** Which catalogue entry matched, and what it says. */
export interface CatalogueEntry {
  providerId: string;
  modelId: string;
  /** USD per million tokens now (the base rate of a tiered price); undefined when the entry has no token price. */
  price: { inputPerMillion: number; outputPerMillion: number; cachedInputPerMillion?: number } | undefined;
  contextWindow: number | undefined;
}

type GenaiPrices = typeof import('@pydantic/genai-prices');

let loading: Promise<ModelCatalogue> | undefined;

/** The catalogue, imported on the first call; later calls share the same promise. */
export function loadModelCatalogue(): Promise<ModelCatalogue> {
  loading ??= import('@pydantic/genai-prices').then(async (module) =>
    catalogueOver(module, (await module.waitForUpdate()) ?? []),
  );
  return loading;
}

function catalogueOver(module: GenaiPrices, providers: ReadonlyArray<{ id: string }>): ModelCatalogue {
  const providerIds = providers.map((provider) => provider.id);
  const calculate = (query: CatalogueQuery, usage: Usage): PriceCalculation | undefined => {
    const options: PriceOptions =
      query.providerId === undefined ? { providerApiUrl: query.baseURL } : { providerId: query.providerId };
    const tokens = {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cache_read_tokens: Math.min(usage.cachedInputTokens, usage.inputTokens),
    };
    for (const modelId of modelIdCandidates(query.modelIds)) {
      try {
        const result = module.calcPrice(tokens, modelId, options);
        if (result) return result;
      } catch {
        // An entry the package cannot price (a malformed constraint): the next id may do.
      }
    }
    return undefined;
  };
  return {
    find: (query) => {
      const result = calculate(query, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
      return result && entryOf(result);
    },
    cost: (query, usage) => {
      const result = calculate(query, usage);
      if (!result) return undefined;
      const entry = entryOf(result);
      return entry.price === undefined || !Number.isFinite(result.total_price)
        ? undefined
        : { costUsd: result.total_price, entry };
    },
    providerIds: () => providerIds,
    hasProvider: (id) => module.findProvider({ providerId: id }) !== undefined,
  };
}

function entryOf(result: PriceCalculation): CatalogueEntry {
  return {
    providerId: result.provider.id,
    modelId: result.model.id,
    price: perMillion(result.model_price),
    contextWindow: result.model.context_window,
  };
}

function perMillion(price: ModelPrice): CatalogueEntry['price'] {
  const input = rate(price.input_mtok);
  const output = rate(price.output_mtok);
  if (input === undefined && output === undefined) return undefined;
  const cached = rate(price.cache_read_mtok);
  return {
    inputPerMillion: input ?? 0,
    outputPerMillion: output ?? 0,
    ...(cached === undefined ? {} : { cachedInputPerMillion: cached }),
  };
}

/** A flat rate, or the base rate of a tiered one. */
function rate(value: ModelPrice[string]): number | undefined {
  if (typeof value === 'number') return value;
  return value === undefined ? undefined : value.base;
}

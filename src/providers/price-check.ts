import type { Config, ProviderConfig } from '../config/config-schema.js';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import type { UnpricedModel } from '../errors/unknown-model-price-error.js';
import { closestName } from '../text/name-suggestions.js';
import { findPrice } from './cost.js';
import { loadModelCatalogue, type ModelCatalogue } from './model-catalogue.js';

/** An agent's model as a run will call it. */
export interface ModelInPlay {
  agent: string;
  provider: string;
  model: string;
  /** `params.contextWindow` from swarm.json, when set (the catalogue is then not asked for one). */
  contextWindow?: number | undefined;
}

/** OpenRouter reports every call's cost in `usage.cost`, without being asked (its `usage: {include: true}` is obsolete). */
export function reportsOwnCost(baseURL: string): boolean {
  try {
    const host = new URL(baseURL).hostname;
    return host === 'openrouter.ai' || host.endsWith('.openrouter.ai');
  } catch {
    return false;
  }
}

/**
 * Whether a run may ask the catalogue about this model: for its price (not free, not in `prices`) or for its context
 * window (none in swarm.json, and the provider is not a free local one without a `catalogue` id). Such runs load the
 * catalogue in the background as they start, so the first model call does not wait for it.
 */
export function mayNeedCatalogue(entry: ModelInPlay, config: Config): boolean {
  const provider = providerOf(config, entry.provider);
  const price = !provider.free && findPrice(config.prices, [entry.model]) === undefined;
  const window = entry.contextWindow === undefined && (!provider.free || provider.catalogue !== undefined);
  return price || window;
}

/**
 * The models in play whose price nobody knows: not free, not reported by the provider, not in `prices`, not in the
 * catalogue. The catalogue is loaded only when the other sources leave a model unpriced.
 */
export async function unpricedModels(
  entries: readonly ModelInPlay[],
  config: Config,
  loadCatalogue: () => Promise<ModelCatalogue> = loadModelCatalogue,
): Promise<UnpricedModel[]> {
  const open = entries.filter((entry) => {
    const provider = providerOf(config, entry.provider);
    return !provider.free && !reportsOwnCost(provider.baseURL) && findPrice(config.prices, [entry.model]) === undefined;
  });
  if (open.length === 0) return [];
  const catalogue = await loadCatalogue().catch(() => undefined);
  return open
    .filter((entry) => {
      const provider = providerOf(config, entry.provider);
      return (
        catalogue?.find({ baseURL: provider.baseURL, providerId: provider.catalogue, modelIds: [entry.model] })
          ?.price === undefined
      );
    })
    .map(({ agent, provider, model }) => ({ agent, provider, model }));
}

/**
 * Every `catalogue` id on the named providers must be one the catalogue has: a ConfigError naming the file, the JSON
 * path and the nearest id otherwise. The catalogue is loaded only when some provider names one.
 */
export async function checkCatalogueProviders(
  config: Config,
  file: string,
  providerNames: readonly string[],
  loadCatalogue: () => Promise<ModelCatalogue> = loadModelCatalogue,
): Promise<void> {
  const named = providerNames.filter((name) => providerOf(config, name).catalogue !== undefined);
  if (named.length === 0) return;
  const catalogue = await loadCatalogue();
  const issues: ConfigIssue[] = [];
  for (const name of named) {
    const id = providerOf(config, name).catalogue!;
    if (catalogue.hasProvider(id)) continue;
    const suggestion = closestName(id, catalogue.providerIds());
    issues.push({
      path: `providers.${name}.catalogue`,
      message: `"${id}" is not a provider of the price catalogue${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; it has: ${catalogue.providerIds().join(', ')}`,
    });
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
}

function providerOf(config: Config, name: string): ProviderConfig {
  const provider = config.providers[name];
  if (!provider) throw new Error(`provider "${name}" is not in the config`); // resolveRunSettings and the swarm loader check this first
  return provider;
}

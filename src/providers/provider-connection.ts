import type OpenAI from 'openai';
import type { Price } from '../config/config-schema.js';
import type { RetryNotice } from './chat-types.js';
import type { CatalogueQuery, ModelCatalogue } from './model-catalogue.js';
import type { ProviderIdentity } from './provider-error-translation.js';
import type { RetryPolicy } from './retry-policy.js';

/** What every chat model of one provider shares: the client, the policy, the prices, the identity for messages. */
export interface ProviderConnection {
  identity: ProviderIdentity;
  client: OpenAI;
  /** Stream completions (the provider's `stream` setting). */
  stream: boolean;
  retryPolicy: RetryPolicy;
  prices: Record<string, Price>;
  /** Marked `free` in config.json: its calls cost 0. */
  free: boolean;
  /** Where the model catalogue looks this provider's models up: its base URL, or the `catalogue` id config names. */
  catalogue: Omit<CatalogueQuery, 'modelIds'>;
  /** The model catalogue, loaded on first use (prices the table lacks, context windows). */
  loadCatalogue: () => Promise<ModelCatalogue>;
  onRetry: ((notice: RetryNotice) => void) | undefined;
  /** One plain attempt at GET /models (no retries), for the model-not-found message. */
  listModelsOnce: (signal?: AbortSignal) => Promise<string[]>;
}

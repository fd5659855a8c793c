import type OpenAI from 'openai';
import type { Price } from '../config/config-schema.js';
import type { RetryNotice } from './chat-types.js';
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
  onRetry: ((notice: RetryNotice) => void) | undefined;
  /** One plain attempt at GET /models (no retries), for the model-not-found message. */
  listModelsOnce: (signal?: AbortSignal) => Promise<string[]>;
}

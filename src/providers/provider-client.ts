import OpenAI from 'openai';
import type { Price, ProviderConfig } from '../config/config-schema.js';
import { MissingApiKeyError } from '../errors/missing-api-key-error.js';
import { secretHeaderValues } from '../logging/secret-names.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ChatModel, RetryNotice } from './chat-types.js';
import { loadModelCatalogue, type ModelCatalogue } from './model-catalogue.js';
import { OpenAIChatModel } from './openai-chat-model.js';
import type { ProviderConnection } from './provider-connection.js';
import { describeFailure, toProviderError, type ProviderIdentity } from './provider-error-translation.js';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './retry-policy.js';

/** Sent as the bearer token to providers without `apiKeyEnv`: the `openai` client refuses to start without a key. */
export const keylessPlaceholderKey = 'mux-swarm-no-key';

/** Listing models is quick everywhere; do not wait a model-loading timeout for it. */
const listModelsTimeoutMs = 15_000;

export interface ChatModelOptions {
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** Overrides the provider's `timeoutMs`. */
  timeoutMs?: number | undefined;
  /** An entry of a failover chain with somewhere to go: a 429 asking to wait longer than this is not waited for. */
  giveUpOverRetryAfterMs?: number | undefined;
}

export interface ProviderClient {
  readonly name: string;
  /** The configured base URL without a trailing slash. */
  readonly baseURL: string;
  chatModel(model: string, params?: ChatModelOptions): ChatModel;
  /** Model ids from GET {baseURL}/models, with the provider's retries; errors are mux-swarm errors. */
  listModels(signal?: AbortSignal): Promise<string[]>;
}

export interface ProviderClientOptions {
  /** Where `apiKeyEnv` is read from (pass process.env; tests pass their own). */
  env: NodeJS.ProcessEnv;
  /** USD per million tokens by model id, for providers that do not report cost. */
  prices: Record<string, Price>;
  /** Called before each retry wait. */
  onRetry?: (notice: RetryNotice) => void;
  /** Overrides of the retry timings (tests shorten them); `maxRetries` comes from the config. */
  retryPolicy?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
  /** The model catalogue (default: the shipped one, loaded on first use). */
  loadCatalogue?: () => Promise<ModelCatalogue>;
}

/**
 * A client for one configured provider. Throws MissingApiKeyError when `apiKeyEnv` names an unset variable.
 * The `openai` client is built with `maxRetries: 0` (retries are ours, see retry-policy.ts), an explicit key,
 * base URL, organization and project (so OPENAI_* variables in the environment never leak into other
 * providers' requests), and its own logging off (it would write to stdout).
 */
export function createProviderClient(
  name: string,
  config: ProviderConfig,
  options: ProviderClientOptions,
): ProviderClient {
  let apiKey: string | undefined;
  if (config.apiKeyEnv !== undefined) {
    apiKey = options.env[config.apiKeyEnv]?.trim();
    if (!apiKey) throw new MissingApiKeyError(name, config.apiKeyEnv);
  }
  const baseURL = config.baseURL.replace(/\/+$/, '');
  const headerSecrets = secretHeaderValues(config.headers);
  const identity: ProviderIdentity = {
    name,
    baseURL,
    apiKeyEnv: config.apiKeyEnv,
    scrubber: new SecretScrubber(apiKey === undefined ? headerSecrets : [apiKey, ...headerSecrets]),
  };
  const client = new OpenAI({
    apiKey: apiKey ?? keylessPlaceholderKey,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    baseURL,
    maxRetries: 0,
    timeout: config.timeoutMs,
    defaultHeaders: config.headers,
    logLevel: 'off',
  });
  const listModelsOnce = async (signal?: AbortSignal): Promise<string[]> => {
    const ids: string[] = [];
    for await (const model of client.models.list({
      signal,
      timeout: Math.min(config.timeoutMs, listModelsTimeoutMs),
    })) {
      if (typeof model.id === 'string') ids.push(model.id);
    }
    return ids;
  };
  const connection: ProviderConnection = {
    identity,
    client,
    stream: config.stream,
    retryPolicy: { ...defaultRetryPolicy(config.maxRetries), ...options.retryPolicy, maxRetries: config.maxRetries },
    prices: options.prices,
    free: config.free,
    catalogue: { baseURL, providerId: config.catalogue },
    loadCatalogue: options.loadCatalogue ?? loadModelCatalogue,
    onRetry: options.onRetry,
    listModelsOnce,
  };

  return {
    name,
    baseURL,
    chatModel: (model, params = {}) =>
      new OpenAIChatModel(connection, model, {
        temperature: params.temperature,
        maxOutputTokens: params.maxOutputTokens,
        timeoutMs: params.timeoutMs ?? config.timeoutMs,
        giveUpOverRetryAfterMs: params.giveUpOverRetryAfterMs,
      }),
    listModels: async (signal) => {
      const what = `Listing the models of provider "${name}"`;
      const { value } = await withRetries(() => listModelsOnce(signal), {
        policy: connection.retryPolicy,
        signal,
        what,
        describe: (failure) => describeFailure(failure, identity.scrubber),
        onRetry: options.onRetry && ((notice) => options.onRetry?.({ provider: name, model: '', ...notice })),
        toError: (error, attempts) =>
          toProviderError(error, attempts, { provider: identity, model: undefined, listModels: listModelsOnce }),
      });
      return value;
    },
  };
}

import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { ProviderAuthError } from '../errors/provider-auth-error.js';
import { ProviderRequestError } from '../errors/provider-request-error.js';
import { ProviderUnreachableError } from '../errors/provider-unreachable-error.js';
import { isMuxSwarmError } from '../errors/mux-swarm-error.js';
import { suggestNames } from '../text/name-suggestions.js';
import { parseRetryAfter } from './retry-after.js';
import { isTransientStatus } from './retry-policy.js';
import { classifyFailure, type ProviderFailure } from './provider-failure.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';

/** What an error message may say about a provider, and which values it must never say. */
export interface ProviderIdentity {
  name: string;
  baseURL: string;
  apiKeyEnv: string | undefined;
  /** Scrubs the API key (and secret-looking configured headers) from every message. */
  scrubber: SecretScrubber;
}

const maxMessageLength = 400;
const maxListedModels = 20;
const modelMissingPattern =
  /(not found|does not exist|not a valid model|invalid model|unknown model|no such model|not available)/i;

/** The endpoint's own words for a failure, trimmed to one line and scrubbed of secrets. */
export function failureMessage(failure: ProviderFailure, scrubber: SecretScrubber): string {
  let text: string;
  if (failure.kind === 'status') {
    const body = failure.errorBody;
    const bodyMessage = typeof body === 'string' ? body : (body as { message?: unknown } | undefined)?.message;
    text =
      typeof bodyMessage === 'string' && bodyMessage.trim() !== ''
        ? bodyMessage
        : failure.message.replace(/^\d{3}\s+/, '');
  } else if (failure.kind === 'aborted') {
    text = failure.error.message;
  } else {
    text = failure.message;
  }
  const oneLine = scrubber.text(text).replace(/\s+/g, ' ').trim();
  return oneLine.length > maxMessageLength ? `${oneLine.slice(0, maxMessageLength - 1)}…` : oneLine;
}

/** A short reason for a retry notice, e.g. "429: rate limited" or "connection reset: other side closed". */
export function describeFailure(failure: ProviderFailure, scrubber: SecretScrubber): string {
  const message = failureMessage(failure, scrubber);
  switch (failure.kind) {
    case 'status':
      return `${failure.status}: ${message}`;
    case 'unreachable':
      return `unreachable (${failure.reason}): ${message}`;
    default:
      return `${failure.kind}: ${message}`;
  }
}

function isModelMissing(failure: Extract<ProviderFailure, { kind: 'status' }>, message: string): boolean {
  if (failure.status === 404) return true;
  if (failure.status !== 400 && failure.status !== 422) return false;
  const code = (failure.errorBody as { code?: unknown } | undefined)?.code;
  return code === 'model_not_found' || (/model/i.test(message) && modelMissingPattern.test(message));
}

/**
 * Turns whatever an attempt threw into the mux-swarm error a person can act on. Errors built from an HTTP
 * answer carry no `cause`: the endpoint's text may hold the key, and only the scrubbed copy is kept.
 */
export async function toProviderError(
  error: unknown,
  attempts: number,
  context: {
    provider: ProviderIdentity;
    /** The model asked for; undefined when the failing request was the model listing itself. */
    model: string | undefined;
    /** One plain attempt at GET /models, used to list what the endpoint has when a model is missing. */
    listModels: () => Promise<string[]>;
  },
): Promise<Error> {
  if (isMuxSwarmError(error)) return error;
  const { provider, model } = context;
  const failure = classifyFailure(error);
  const message = failureMessage(failure, provider.scrubber);
  const base = { provider: provider.name, baseURL: provider.baseURL, model, attempts };
  switch (failure.kind) {
    case 'aborted':
      return failure.error;
    case 'unreachable':
      return new ProviderUnreachableError({ ...base, reason: failure.reason, detail: message }, { cause: error });
    case 'status':
      if (failure.status === 401 || failure.status === 403) {
        return new ProviderAuthError({
          ...base,
          status: failure.status,
          apiKeyEnv: provider.apiKeyEnv,
          endpointMessage: message,
        });
      }
      if (model !== undefined && isModelMissing(failure, message)) {
        const availableModels = await listForMessage(context.listModels, model, provider.scrubber);
        return new ModelNotFoundError({ ...base, model, endpointMessage: message, availableModels });
      }
      return new ProviderRequestError({
        ...base,
        status: failure.status,
        endpointMessage: message,
        transient: isTransientStatus(failure.status),
        ...retryAfter(failure.headers),
      });
    case 'timeout':
    case 'connection-reset':
    case 'bad-response':
      return new ProviderRequestError({
        ...base,
        status: undefined,
        endpointMessage: `${failure.kind}: ${message}`,
        transient: true,
      });
    case 'unknown':
      return new ProviderRequestError(
        {
          ...base,
          status: undefined,
          endpointMessage: message,
          advice: 'This looks like a bug in mux-swarm or an unexpected reply; the log has details.',
        },
        { cause: error },
      );
  }
}

function retryAfter(headers: Headers | undefined): { retryAfterMs?: number } {
  const requested = parseRetryAfter(headers);
  return requested === undefined ? {} : { retryAfterMs: requested };
}

async function listForMessage(
  listModels: () => Promise<string[]>,
  model: string,
  scrubber: SecretScrubber,
): Promise<{ models: string[]; total: number } | { listingError: string }> {
  try {
    const models = await listModels();
    return {
      models: suggestNames(model, models, { limit: maxListedModels, containmentFrom: 0, ignorePrefix: true }),
      total: new Set(models).size,
    };
  } catch (error) {
    return { listingError: describeFailure(classifyFailure(error), scrubber) };
  }
}

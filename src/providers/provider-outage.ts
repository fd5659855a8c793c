import { ModelChainError, type ModelFailureKind } from '../errors/model-chain-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { ProviderAuthError } from '../errors/provider-auth-error.js';
import { ProviderRequestError } from '../errors/provider-request-error.js';
import { ProviderUnreachableError } from '../errors/provider-unreachable-error.js';

export type { ModelFailureKind };

const contextLengthPattern =
  /(context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|input is too long|exceeds? the (model'?s? )?(maximum|max)|reduce the length|n_ctx)/i;

/**
 * Sorts a failed model call's error (after the provider's own retries) into what can be done about it: an outage (the
 * endpoint's condition: down, overloaded, rate-limited, a hang, a cut stream: the same request may succeed later or
 * elsewhere), auth (401/403: a person must act), a model the endpoint does not serve, a request longer than the
 * model's context window, or anything else (the request itself was refused).
 */
export function classifyModelFailure(error: unknown): ModelFailureKind {
  if (error instanceof ModelChainError) return error.kind;
  if (error instanceof ProviderAuthError) return 'auth';
  if (error instanceof ModelNotFoundError) return 'model-not-found';
  if (error instanceof ProviderUnreachableError) return error.reason === 'tls' ? 'other' : 'outage';
  if (error instanceof ProviderRequestError) {
    if (error.transient) return 'outage';
    if (
      error.status !== undefined &&
      error.status >= 400 &&
      error.status < 500 &&
      contextLengthPattern.test(error.endpointMessage)
    )
      return 'context-length';
  }
  return 'other';
}

/** A failure that another try later may not have: the run stops resumably instead of failing. */
export function isProviderOutage(error: unknown): boolean {
  return classifyModelFailure(error) === 'outage';
}

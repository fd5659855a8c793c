import { abortableSleep } from './abortable-sleep.js';
import { classifyFailure, type ProviderFailure } from './provider-failure.js';
import { parseRetryAfter } from './retry-after.js';

export interface RetryPolicy {
  /** Retries after the first attempt (the provider's `maxRetries`). */
  maxRetries: number;
  /** First backoff delay; doubles each retry, with jitter. */
  baseDelayMs: number;
  /** Cap on the backoff delay. */
  maxDelayMs: number;
  /** Cap on a wait the endpoint asks for with Retry-After / retry-after-ms. */
  maxRetryAfterMs: number;
  /**
   * A model with somewhere else to go (an entry of a failover chain that is not the last) gives up at once when the
   * endpoint asks to wait longer than this, instead of waiting: the chain moves on and the entry cools down.
   */
  giveUpOverRetryAfterMs?: number | undefined;
  /** Connection refused, DNS and routing failures: retried at most this many times, after short waits. */
  unreachableMaxRetries: number;
  unreachableDelayMs: number;
}

export function defaultRetryPolicy(maxRetries: number): RetryPolicy {
  return {
    maxRetries,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 120_000,
    unreachableMaxRetries: 2,
    unreachableDelayMs: 250,
  };
}

const retryableStatuses = new Set([408, 409, 429]);

/**
 * An HTTP status that says "not now" rather than "not this request": 408, 409, 429 and every 5xx. It is retried,
 * and once the retries are spent it is an outage (failover moves on; the run stops resumably).
 */
export function isTransientStatus(status: number): boolean {
  return retryableStatuses.has(status) || status >= 500;
}

/**
 * The wait before retry number `retry` (1 for the first retry) after this failure, or undefined when it must
 * not be retried: aborts, TLS failures, 4xx other than 408/409/429, and anything unrecognised.
 */
export function retryDelay(
  failure: ProviderFailure,
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (retry > policy.maxRetries) return undefined;
  switch (failure.kind) {
    case 'aborted':
    case 'unknown':
      return undefined;
    case 'unreachable':
      if (failure.reason === 'tls' || retry > policy.unreachableMaxRetries) return undefined;
      return policy.unreachableDelayMs * retry;
    case 'timeout':
    case 'connection-reset':
    case 'bad-response':
      return backoff(retry, policy, random);
    case 'status': {
      const explicit = failure.headers?.get('x-should-retry');
      if (explicit === 'false') return undefined;
      if (explicit !== 'true' && !isTransientStatus(failure.status)) return undefined;
      const requested = parseRetryAfter(failure.headers);
      if (
        requested !== undefined &&
        policy.giveUpOverRetryAfterMs !== undefined &&
        requested > policy.giveUpOverRetryAfterMs
      )
        return undefined;
      return requested === undefined ? backoff(retry, policy, random) : Math.min(requested, policy.maxRetryAfterMs);
    }
  }
}

/** Exponential backoff with "equal jitter": between half and all of min(cap, base * 2^(retry-1)). */
function backoff(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface RetryAttemptNotice {
  /** The attempt that is about to start (2 for the first retry). */
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * Runs `operation` until it succeeds or the policy says stop; waits between attempts honour the signal.
 * On giving up, throws what `toError(error, attempts)` returns.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  options: {
    policy: RetryPolicy;
    signal?: AbortSignal | undefined;
    what: string;
    describe: (failure: ProviderFailure) => string;
    onRetry?: ((notice: RetryAttemptNotice) => void) | undefined;
    toError: (error: unknown, attempts: number) => Promise<Error> | Error;
  },
): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { value: await operation(attempt), attempts: attempt };
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.kind === 'aborted') throw failure.error;
      const delayMs = retryDelay(failure, attempt, options.policy);
      if (delayMs === undefined) throw await options.toError(error, attempt);
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: options.describe(failure) });
      await abortableSleep(delayMs, options.signal, options.what);
    }
  }
}

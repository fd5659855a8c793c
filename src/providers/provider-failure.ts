import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { RequestAbortedError } from '../errors/request-aborted-error.js';
import type { UnreachableReason } from '../errors/provider-unreachable-error.js';

/** Thrown inside an attempt when our own per-request deadline fires (as opposed to the caller's signal). */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

/** Thrown inside an attempt when a 200 reply is unusable (no choices, an `error` object instead of a completion). */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/** What went wrong with one attempt, in the terms the retry policy and the error messages need. */
export type ProviderFailure =
  | { kind: 'aborted'; error: RequestAbortedError }
  | { kind: 'timeout'; message: string }
  | { kind: 'connection-reset'; message: string }
  | { kind: 'unreachable'; reason: UnreachableReason; message: string }
  | { kind: 'status'; status: number; message: string; headers: Headers | undefined; errorBody: unknown }
  /** An error the endpoint sent inside a stream, or a 200 reply that holds no completion. */
  | { kind: 'bad-response'; message: string }
  | { kind: 'unknown'; message: string };

const refusedCodes = new Set(['ECONNREFUSED']);
const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const networkCodes = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const resetCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const tlsCodePattern =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO$)/;

export function classifyFailure(error: unknown): ProviderFailure {
  if (error instanceof RequestAbortedError) return { kind: 'aborted', error };
  if (error instanceof AttemptTimeoutError || error instanceof APIConnectionTimeoutError) {
    return { kind: 'timeout', message: error.message };
  }
  if (error instanceof MalformedResponseError) return { kind: 'bad-response', message: error.message };
  if (error instanceof APIUserAbortError)
    return { kind: 'aborted', error: new RequestAbortedError('The model request', { cause: error }) };
  if (error instanceof APIError && typeof error.status === 'number') {
    return {
      kind: 'status',
      status: error.status,
      message: error.message,
      headers: error.headers,
      errorBody: error.error,
    };
  }
  // A proxy or a failing server answered 200 with something that is not JSON (an HTML error page): the endpoint's
  // condition, like a 502, not a bug.
  if (error instanceof SyntaxError)
    return { kind: 'bad-response', message: `the reply was not JSON (${error.message})` };
  const network = findNetworkCause(error);
  if (network) return network;
  if (error instanceof APIConnectionError) return { kind: 'connection-reset', message: error.message };
  // An error event inside a stream becomes an APIError without status.
  if (error instanceof APIError) return { kind: 'bad-response', message: error.message };
  return { kind: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

/** Walks `cause` chains (and AggregateError lists) looking for a system or undici error code. */
function findNetworkCause(error: unknown): ProviderFailure | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    const message = (current as { message?: unknown }).message;
    const text = typeof message === 'string' && message !== '' ? message : String(code);
    if (typeof code === 'string') {
      if (refusedCodes.has(code)) return { kind: 'unreachable', reason: 'refused', message: text };
      if (dnsCodes.has(code)) return { kind: 'unreachable', reason: 'dns', message: text };
      if (networkCodes.has(code)) return { kind: 'unreachable', reason: 'network', message: text };
      if (tlsCodePattern.test(code)) return { kind: 'unreachable', reason: 'tls', message: text };
      if (resetCodes.has(code)) return { kind: 'connection-reset', message: text };
    }
    queue.push((current as { cause?: unknown }).cause);
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner)) queue.push(...inner);
  }
  return undefined;
}

import { MuxSwarmError } from './mux-swarm-error.js';

export interface ProviderRequestErrorDetails {
  provider: string;
  baseURL: string;
  /** Undefined when listing models rather than calling one. */
  model: string | undefined;
  /** HTTP status, or undefined when there was none (timeout, broken stream, malformed reply). */
  status: number | undefined;
  /** The endpoint's own message (trimmed, scrubbed of secrets), or what went wrong locally. */
  endpointMessage: string;
  attempts: number;
  /** What the user can do about it; a default is chosen from the status when omitted. */
  advice?: string;
  /**
   * The failure is the endpoint's condition, not the request's: a timeout, a cut stream, a garbage body, 408/409/429
   * or 5xx. Another provider, or the same one later, may answer the very same request (see provider-outage.ts).
   */
  transient?: boolean;
  /** How long the endpoint asked to wait (Retry-After), when it said. */
  retryAfterMs?: number;
}

/** A request the endpoint refused (4xx other than auth/not-found) or kept failing (429, 5xx, timeouts) after retries. */
export class ProviderRequestError extends MuxSwarmError {
  readonly provider: string;
  readonly model: string | undefined;
  readonly status: number | undefined;
  readonly endpointMessage: string;
  readonly attempts: number;
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(details: ProviderRequestErrorDetails, options?: { cause?: unknown }) {
    const status = details.status === undefined ? 'failed' : `answered ${details.status}`;
    const attempts = `${details.attempts} attempt${details.attempts === 1 ? '' : 's'}`;
    super(
      'provider_request_failed',
      `Provider "${details.provider}" (${details.baseURL}) ${status} ${details.model === undefined ? 'when listing models' : `for model "${details.model}"`} after ${attempts}: ` +
        `${details.endpointMessage || '(no message)'}. ${details.advice ?? defaultAdvice(details.status)}`,
      options,
    );
    this.provider = details.provider;
    this.model = details.model;
    this.status = details.status;
    this.endpointMessage = details.endpointMessage;
    this.attempts = details.attempts;
    this.transient = details.transient ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

function defaultAdvice(status: number | undefined): string {
  if (status === undefined)
    return 'Check that the server is healthy; raise "timeoutMs" if the model is slow to load or answer.';
  if (status === 429)
    return 'The endpoint is rate-limiting: wait, lower maxConcurrentDelegations, or raise the provider\'s "maxRetries".';
  if (status >= 500) return 'The endpoint failed on its side: try again later, or point the agent at another provider.';
  return 'The endpoint rejected the request: check the model parameters in swarm.json and that this model supports tool calling.';
}

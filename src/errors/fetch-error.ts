import { MuxSwarmError } from './mux-swarm-error.js';

/** Why a fetch failed; stable words a caller can branch on. */
export type FetchFailureReason =
  | 'invalid_url'
  | 'unsupported_scheme'
  | 'refused_address'
  | 'dns_failure'
  | 'connection_failed'
  | 'timeout'
  | 'cancelled'
  | 'too_large'
  | 'too_many_redirects'
  | 'http_status'
  | 'unsupported_content'
  | 'past_end';

/**
 * A fetch the built-in fetch server could not or would not do. The message, written for the model, says what
 * happened to which URL and what to do about it.
 */
export class FetchError extends MuxSwarmError {
  readonly url: string;
  readonly reason: FetchFailureReason;

  constructor(url: string, reason: FetchFailureReason, message: string, options?: { cause?: unknown }) {
    super('fetch_failed', message, options);
    this.url = url;
    this.reason = reason;
  }
}

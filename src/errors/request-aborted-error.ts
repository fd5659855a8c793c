import { MuxSwarmError } from './mux-swarm-error.js';

/** The caller's AbortSignal fired while a model request (or a retry wait) was under way. */
export class RequestAbortedError extends MuxSwarmError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('request_aborted', `${what} was cancelled before it finished.`, options);
  }
}

import { describeError } from '../../errors/mux-swarm-error.js';
import { FetchError } from '../../errors/fetch-error.js';

export interface FailureContext {
  /** How the message names the request (the URL, and where it was redirected from). */
  label: string;
  /** The host being reached. */
  hostname: string;
  timeoutMs: number;
  /** The call's own cancellation. */
  callSignal: AbortSignal | undefined;
  /** The signal of the overall time limit. */
  timeoutSignal: AbortSignal;
}

const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ENODATA']);

/**
 * Turns whatever a request threw into a FetchError that says what happened and what to do: cancellation and
 * the time limit first (whatever error they caused), then DNS, TLS, decompression and connection failures.
 * FetchErrors pass through.
 */
export function networkFailure(error: unknown, context: FailureContext): FetchError {
  const { label } = context;
  if (context.callSignal?.aborted === true) {
    return new FetchError(label, 'cancelled', `The fetch of ${label} was cancelled before it finished.`, {
      cause: error,
    });
  }
  if (context.timeoutSignal.aborted) {
    return new FetchError(
      label,
      'timeout',
      `Fetching ${label} timed out after ${context.timeoutMs} ms (options.timeoutMs of the fetch server, covering ` +
        'redirects and the whole body). The server is slow or not answering: try again later or another source, ' +
        'or raise options.timeoutMs in config.json.',
      { cause: error },
    );
  }
  if (error instanceof FetchError) return error;
  const code = error instanceof Error ? String((error as NodeJS.ErrnoException).code ?? '') : '';
  if (dnsCodes.has(code)) {
    return new FetchError(
      label,
      'dns_failure',
      `Cannot fetch ${label}: the host name "${context.hostname}" could not be resolved (${code}). Check the URL ` +
        'for typos; the name may not exist, or DNS may be unreachable from this machine.',
      { cause: error },
    );
  }
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code) ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
  ) {
    return new FetchError(
      label,
      'connection_failed',
      `Cannot fetch ${label}: the TLS connection to ${context.hostname} failed (${code}: ${describeError(error)}). ` +
        'The certificate is invalid, expired or for another name; the page cannot be fetched safely.',
      { cause: error },
    );
  }
  if (code.startsWith('Z_') || code === 'ERR_BROTLI_DECOMPRESSION_FAILED') {
    return new FetchError(
      label,
      'unsupported_content',
      `Cannot read ${label}: its compressed body is corrupt (${code}). Try again, or another URL for the same content.`,
      { cause: error },
    );
  }
  const detail = code === '' ? describeError(error) : `${code}: ${describeError(error)}`;
  return new FetchError(
    label,
    'connection_failed',
    `Cannot fetch ${label}: the connection to ${context.hostname} failed (${detail}). The server may be down or ` +
      'not accepting connections: check the URL (host and port), or try again later.',
    { cause: error },
  );
}

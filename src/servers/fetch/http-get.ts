import type { IncomingMessage } from 'node:http';
import { formatSize } from '../filesystem/format-size.js';
import type { AddressPolicy } from './address-policy.js';
import { bodyExcerpt } from './body-excerpt.js';
import {
  type ContentKind,
  type ContentType,
  declaredContentKind,
  parseContentType,
  sniffContentKind,
} from './content-kind.js';
import { FetchError } from '../../errors/fetch-error.js';
import { sendGetRequest } from './http-request.js';
import { networkFailure } from './network-failure.js';
import { readBody } from './read-body.js';

export const MAX_REDIRECTS = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const errorExcerptBytes = 16 * 1024;

export interface HttpGetOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  policy: AddressPolicy;
  /** The call's cancellation. */
  signal?: AbortSignal;
}

/** A successful response with a body the fetch server can read as text. */
export interface HttpGetResult {
  requestedUrl: string;
  /** Where the body came from, after redirects. */
  finalUrl: string;
  contentType: ContentType;
  kind: Exclude<ContentKind, 'binary'>;
  body: Buffer;
}

/**
 * GETs an http(s) URL, following up to MAX_REDIRECTS redirects by hand with every hop's scheme and addresses
 * checked again. One time limit covers all hops and the body; the call's signal cancels it. Bodies past
 * maxBytes (by Content-Length, or while streaming) are refused, as are binary media types (before the body is
 * read). HTTP 4xx/5xx become FetchErrors carrying the start of the error page.
 */
export async function httpGet(address: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const requested = parseFetchUrl(address);
  const timeoutSignal = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeoutSignal : AbortSignal.any([options.signal, timeoutSignal]);
  let current = requested;
  let label = requested.href;
  for (let redirects = 0; ; redirects += 1) {
    const context = {
      label,
      hostname: current.hostname,
      timeoutMs: options.timeoutMs,
      callSignal: options.signal,
      timeoutSignal,
    };
    try {
      const response = await sendGetRequest(current, {
        userAgent: options.userAgent,
        policy: options.policy,
        signal,
        label,
      });
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (redirectStatuses.has(status) && location !== undefined) {
        response.destroy();
        if (redirects >= MAX_REDIRECTS) throw tooManyRedirects(requested.href, current.href, location);
        const next = redirectTarget(location, current);
        label = `${next.href} (redirected from ${current.href})`;
        current = next;
        continue;
      }
      if (status < 200 || status >= 300) throw await httpStatusError(response, label, options.maxBytes, signal);
      return await readResult(response, requested.href, current.href, label, options, signal);
    } catch (error) {
      throw networkFailure(error, context);
    }
  }
}

/** Parses the URL a call gave; only absolute http and https URLs are accepted. */
export function parseFetchUrl(address: string): URL {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    throw new FetchError(
      address,
      'invalid_url',
      `"${address}" is not a valid URL: give an absolute http or https URL such as https://example.com/page.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError(
      address,
      'unsupported_scheme',
      `Cannot fetch "${address}": only http and https URLs are fetched, not ${url.protocol.slice(0, -1)}.`,
    );
  }
  return url;
}

function redirectTarget(location: string, from: URL): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new FetchError(
      from.href,
      'invalid_url',
      `${from.href} redirected to "${location}", which is not a valid URL; the redirect was not followed.`,
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new FetchError(
      from.href,
      'unsupported_scheme',
      `${from.href} redirected to ${next.href}; only http and https redirects are followed, so it was not.`,
    );
  }
  return next;
}

function tooManyRedirects(requested: string, last: string, location: string): FetchError {
  return new FetchError(
    requested,
    'too_many_redirects',
    `Fetching ${requested} stopped after ${MAX_REDIRECTS} redirects (the last, from ${last}, pointed to ${location}). ` +
      'The URL redirects in a loop or too many times: fetch the final address directly if you know it.',
  );
}

async function readResult(
  response: IncomingMessage,
  requestedUrl: string,
  finalUrl: string,
  label: string,
  options: HttpGetOptions,
  signal: AbortSignal,
): Promise<HttpGetResult> {
  const contentType = parseContentType(response.headers['content-type']);
  const declaredLength = Number(response.headers['content-length'] ?? Number.NaN);
  const length = Number.isFinite(declaredLength) ? declaredLength : undefined;
  if (declaredContentKind(contentType.mediaType) === 'binary') {
    response.destroy();
    throw binaryContentError(label, contentType.mediaType, length);
  }
  if (length !== undefined && length > options.maxBytes) {
    response.destroy();
    throw tooLargeError(label, options.maxBytes, `its Content-Length is ${length} bytes (${formatSize(length)})`);
  }
  const { body, truncated } = await readBody(response, label, options.maxBytes, signal);
  if (truncated)
    throw tooLargeError(label, options.maxBytes, `more than ${options.maxBytes} bytes arrived; reading stopped there`);
  const kind = declaredContentKind(contentType.mediaType) ?? sniffContentKind(body);
  if (kind === 'binary') throw binaryContentError(label, 'an undeclared binary type', body.length);
  return { requestedUrl, finalUrl, contentType, kind, body };
}

async function httpStatusError(
  response: IncomingMessage,
  label: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<FetchError> {
  const status = response.statusCode ?? 0;
  const { body } = await readBody(response, label, Math.min(maxBytes, errorExcerptBytes), signal);
  const excerpt = bodyExcerpt(body, response.headers['content-type']);
  return new FetchError(
    label,
    'http_status',
    `Fetching ${label} failed: the server answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}. ` +
      `${statusAdvice(status)}${excerpt === '' ? '' : ` The response began: "${excerpt}"`}`,
  );
}

function statusAdvice(status: number): string {
  if (status === 404 || status === 410)
    return 'The page does not exist (any more): check the URL, or look for where the content moved.';
  if (status === 401 || status === 403 || status === 407) {
    return 'The server refuses access; this tool sends no cookies or credentials, so pages behind a login cannot be fetched.';
  }
  if (status === 429) return 'The server is limiting the rate of requests: wait before trying again.';
  if (status >= 500) return 'The server failed: try again later, or use another source.';
  if (status >= 300 && status < 400)
    return 'It is a redirect without a usable Location header, so there is nothing to follow.';
  return 'The server did not accept the request: check the URL.';
}

function tooLargeError(label: string, maxBytes: number, detail: string): FetchError {
  return new FetchError(
    label,
    'too_large',
    `The response from ${label} is larger than the limit of ${maxBytes} bytes (${formatSize(maxBytes)}, options.maxBytes ` +
      `of the fetch server): ${detail}. Fetch a smaller page, or raise options.maxBytes in config.json.`,
  );
}

function binaryContentError(label: string, mediaType: string, size: number | undefined): FetchError {
  const sizeText = size === undefined ? 'size not given by the server' : `${size} bytes, ${formatSize(size)}`;
  return new FetchError(
    label,
    'unsupported_content',
    `${label} is ${mediaType} (${sizeText}), a binary type this tool cannot turn into text. Fetch an HTML page or a ` +
      'text format (plain text, markdown, JSON, XML, CSV) instead.',
  );
}

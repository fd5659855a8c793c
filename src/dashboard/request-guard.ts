import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie a browser keeps the token in once it came with `?token=`: EventSource cannot send a header. */
export const TOKEN_COOKIE = 'mux_swarm_dashboard_token';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `host` (an address to bind, or a Host header's name) is this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/u.test(host);
}

export interface Refusal {
  status: number;
  message: string;
}

/**
 * Why a request is refused, or undefined to serve it. Cross-origin first: a page of another site may make the
 * browser send anything here (a form POST, an image), and the browser says so in `Origin` and `Sec-Fetch-Site`.
 * Bound to loopback, the Host must name loopback too (a DNS-rebinding page would send its own name). Off loopback,
 * every request carries the token (header, cookie, or `?token=`), compared in constant time.
 */
export function refusal(request: IncomingMessage, url: URL, token: string | undefined): Refusal | undefined {
  const host = request.headers.host ?? '';
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}` && origin !== `https://${host}`)
    return { status: 403, message: `cross-origin request refused (Origin ${origin})` };
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { status: 403, message: `cross-origin request refused (Sec-Fetch-Site ${String(site)})` };
  if (token === undefined) {
    if (!isLoopback(hostName(host))) return { status: 403, message: `Host "${host}" is not this machine's loopback` };
    return undefined;
  }
  const given = offeredToken(request, url);
  if (given === undefined || !sameSecret(given, token))
    return { status: 401, message: 'a token is required: open the address printed at start (it ends ?token=…)' };
  return undefined;
}

/** The token a request offers: `Authorization: Bearer`, then `?token=`, then the cookie. */
export function offeredToken(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const query = url.searchParams.get('token');
  if (query !== null) return query;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Equal in time independent of where they differ: both are hashed first, so their lengths leak nothing either. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { type AddressPolicy, refusedAddressError } from './address-policy.js';
import { guardedLookup } from './guarded-lookup.js';

export interface SingleRequestSettings {
  userAgent: string;
  policy: AddressPolicy;
  /** Aborts the request (and the socket) when it fires. */
  signal: AbortSignal;
  /** How messages name this request: the URL, and where it was redirected from. */
  label: string;
}

/**
 * Sends one GET (no redirects followed) and resolves with the response once its headers arrived. An IP
 * literal host is checked here; a name is checked by the lookup that resolves it for the connection, so the
 * connection goes to exactly the address that was checked. Each request gets its own connection (no pooled
 * sockets), and compressed bodies are asked for as gzip, deflate or br.
 */
export function sendGetRequest(url: URL, settings: SingleRequestSettings): Promise<IncomingMessage> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(hostname) !== 0) {
    const refusal = settings.policy.check(hostname, hostname);
    if (refusal !== undefined) return Promise.reject(refusedAddressError(settings.label, hostname, hostname, refusal));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const credentials =
    url.username === '' ? undefined : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return new Promise((resolve, reject) => {
    const request = send({
      method: 'GET',
      hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: `${url.pathname}${url.search}`,
      headers: {
        'user-agent': settings.userAgent,
        accept: 'text/html,application/xhtml+xml,text/markdown,text/plain;q=0.9,application/json;q=0.9,*/*;q=0.8',
        'accept-encoding': 'gzip, deflate, br',
      },
      ...(credentials === undefined ? {} : { auth: credentials }),
      agent: false,
      lookup: guardedLookup(settings.policy, settings.label),
      signal: settings.signal,
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}

import type { ServerResponse } from 'node:http';
import type { SecretScrubber } from '../logging/secret-scrubber.js';

/**
 * Writes every response body: one place, so that each passes through the storage scrubber (stored text was
 * scrubbed when written; this catches runs recorded before that, and anything read from files) and carries the
 * headers that keep the page from being framed or sniffed.
 */
export class Responder {
  constructor(private readonly scrubber: SecretScrubber) {}

  send(response: ServerResponse, status: number, contentType: string, body: string): void {
    const text = this.scrubber.text(body);
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    response.end(text);
  }

  json(response: ServerResponse, status: number, value: unknown): void {
    this.send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
  }

  error(response: ServerResponse, status: number, message: string): void {
    this.json(response, status, { error: message });
  }

  /** Text written to an open stream (server-sent events), scrubbed like a whole body. */
  write(response: ServerResponse, text: string): void {
    response.write(this.scrubber.text(text));
  }
}

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

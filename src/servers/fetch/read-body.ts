import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { FetchError } from '../../errors/fetch-error.js';

export interface BodyRead {
  /** At most `maxBytes` bytes of the decoded body. */
  body: Buffer;
  /** More than `maxBytes` decoded bytes were on their way; reading stopped and the connection was closed. */
  truncated: boolean;
}

/**
 * Reads a response body, decoded from gzip, deflate or br, keeping at most `maxBytes` decoded bytes: past
 * that it stops reading and destroys the response, so a huge or endless body (or a compression bomb) costs no
 * more than the limit. `signal` stops the read (the promise rejects with the signal's reason).
 */
export async function readBody(
  response: IncomingMessage,
  url: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<BodyRead> {
  const source = decodedStream(response, url);
  const stop = (): void => {
    source.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal.addEventListener('abort', stop, { once: true });
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    if (signal.aborted) stop();
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const room = maxBytes - size;
      if (chunk.length > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    if (truncated || !response.complete) {
      source.destroy();
      response.destroy();
    }
  }
  return { body: Buffer.concat(chunks, size), truncated };
}

function decodedStream(response: IncomingMessage, url: string): Readable {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Readable & NodeJS.WritableStream;
  switch (encoding) {
    case 'identity':
    case '':
      return response;
    case 'gzip':
    case 'x-gzip':
      decoder = createGunzip();
      break;
    case 'deflate':
      decoder = createInflate();
      break;
    case 'br':
      decoder = createBrotliDecompress();
      break;
    default:
      response.destroy();
      throw new FetchError(
        url,
        'unsupported_content',
        `Cannot read ${url}: the server compressed the body with "${encoding}", which this fetch server does not decode ` +
          '(it asks for gzip, deflate or br). Try another URL for the same content.',
      );
  }
  response.on('error', (error) => decoder.destroy(error));
  response.pipe(decoder);
  return decoder;
}

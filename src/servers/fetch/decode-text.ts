import { TextDecoder } from 'node:util';
import type { ContentType } from './content-kind.js';

/**
 * Decodes a body as text: by a byte-order mark first, then the Content-Type charset, then (for HTML) a
 * `<meta charset>` in the first 1024 bytes, else UTF-8. Unknown charsets fall back to UTF-8; bytes that do
 * not decode become U+FFFD.
 */
export function decodeText(body: Buffer, contentType: ContentType, isHtml: boolean): string {
  const label = byteOrderMark(body) ?? contentType.charset ?? (isHtml ? metaCharset(body) : undefined) ?? 'utf-8';
  return decoderFor(label).decode(body);
}

function byteOrderMark(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function metaCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 1024).toString('latin1');
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return match?.[1]?.toLowerCase();
}

function decoderFor(label: string): TextDecoder {
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('utf-8');
  }
}

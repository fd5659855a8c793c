import { TextDecoder } from 'node:util';

/** How the fetch server treats a response body: converted from HTML, returned as text, or refused. */
export type ContentKind = 'html' | 'text' | 'binary';

export interface ContentType {
  /** `text/html`, lower case, without parameters; empty when the server sent no Content-Type. */
  mediaType: string;
  /** The `charset` parameter, lower case; undefined when absent. */
  charset: string | undefined;
}

/** Reads a Content-Type header value (`text/html; charset=UTF-8`). */
export function parseContentType(header: string | undefined): ContentType {
  const [type = '', ...parameters] = (header ?? '').split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset')
      charset =
        value
          .trim()
          .replace(/^"(.*)"$/, '$1')
          .toLowerCase() || undefined;
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

const htmlTypes = new Set(['text/html', 'application/xhtml+xml']);

const textApplicationTypes = new Set([
  'application/json',
  'application/xml',
  'application/javascript',
  'application/ecmascript',
  'application/x-javascript',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/x-toml',
  'application/x-ndjson',
  'application/jsonl',
  'application/csv',
  'application/sql',
  'application/graphql',
  'application/x-sh',
  'application/x-httpd-php',
  'application/x-tex',
  'application/x-latex',
  'application/x-www-form-urlencoded',
  'image/svg+xml',
]);

/**
 * The kind of a declared media type; undefined when the server declared none (the body decides, see
 * sniffContentKind). Structured-syntax suffixes `+json`, `+xml` and `+yaml` count as text.
 */
export function declaredContentKind(mediaType: string): ContentKind | undefined {
  if (mediaType === '') return undefined;
  if (htmlTypes.has(mediaType)) return 'html';
  if (mediaType.startsWith('text/') || textApplicationTypes.has(mediaType)) return 'text';
  if (/\+(json|xml|yaml)$/.test(mediaType)) return 'text';
  return 'binary';
}

/** The kind of a body that came without a Content-Type: HTML by its opening, text when it decodes as UTF-8. */
export function sniffContentKind(body: Buffer): ContentKind {
  const head = body.subarray(0, 1024);
  const opening = head
    .toString('latin1')
    .replace(/^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  if (opening.startsWith('<!doctype html') || opening.startsWith('<html')) return 'html';
  if (head.includes(0)) return 'binary';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, 64 * 1024), { stream: true });
    return 'text';
  } catch {
    return 'binary';
  }
}

import { parseContentType } from './content-kind.js';
import { decodeText } from './decode-text.js';

/**
 * The start of an error page as one line of plain text (tags, scripts and styles removed, whitespace
 * collapsed), at most `maxChars` characters; empty when the body has no text.
 */
export function bodyExcerpt(body: Buffer, contentTypeHeader: string | undefined, maxChars = 300): string {
  const contentType = parseContentType(contentTypeHeader);
  const text = decodeText(body, contentType, contentType.mediaType.includes('html'))
    .replace(/<(script|style|noscript)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

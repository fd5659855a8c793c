import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { FetchOptions } from '../../../config/config-schema.js';
import { describeError } from '../../../errors/mux-swarm-error.js';
import { errorResult } from '../../tool-results.js';
import type { AddressPolicy } from '../address-policy.js';
import { type ContentPage, contentPage } from '../content-page.js';
import type { ExpiringCache } from '../expiring-cache.js';
import { FetchedDocument } from '../fetched-document.js';
import { MAX_REDIRECTS, parseFetchUrl } from '../http-get.js';

export interface FetchToolOptions {
  options: FetchOptions;
  /** Which addresses may be reached. */
  policy: AddressPolicy;
  /** Fetched documents by URL, so that paging through one does not fetch it again. */
  cache: ExpiringCache<FetchedDocument>;
}

/** fetch: GETs an http(s) URL and returns it as markdown or text, in pages of max_length characters. */
export function registerFetchTool(server: McpServer, { options, policy, cache }: FetchToolOptions): void {
  server.registerTool(
    'fetch',
    {
      title: 'Fetch a URL',
      description:
        'Fetches a URL from the internet (GET) and returns its contents: HTML pages as readable markdown (the main ' +
        'article when there is one, else the whole page without navigation and scripts), text formats (plain ' +
        'text, markdown, JSON, XML, CSV) as they are. Long content comes in pages of max_length characters; a ' +
        'cut result says which start_index to pass next, and the next pages come from a short-lived cache. ' +
        `Binary files (images, PDF, archives) are refused. Limits: ${options.timeoutMs} ms, ` +
        `${options.maxBytes} bytes, ${MAX_REDIRECTS} redirects; no cookies or credentials are sent.` +
        (options.allowPrivateNetwork
          ? ''
          : ' Only public internet addresses can be fetched (no localhost or private networks' +
            (options.allowedHosts.length === 0 ? ').' : `, except ${options.allowedHosts.join(', ')}).`)),
      inputSchema: {
        url: z.string().min(1).describe('The http or https URL to fetch.'),
        max_length: z
          .number()
          .int()
          .positive()
          .max(1_000_000)
          .default(options.maxLength)
          .describe('Most characters to return.'),
        start_index: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe('Return the content from this character on; pass what a cut result says to read further.'),
        raw: z
          .boolean()
          .default(false)
          .describe("Return an HTML page's source as it is, without turning it into markdown."),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (input, extra) => {
      try {
        const key = parseFetchUrl(input.url).href;
        let document = cache.get(key);
        if (document === undefined) {
          document = await FetchedDocument.fetch(key, { ...options, policy, signal: extra.signal });
          cache.set(key, document);
        }
        const { content, description } = document.content(input.raw);
        const page = contentPage(content, input.start_index, input.max_length, document.requestedUrl);
        return {
          content: [{ type: 'text', text: withoutPassword(describePage(document, description, page), input.url) }],
        };
      } catch (error) {
        return errorResult(withoutPassword(describeError(error), input.url));
      }
    },
  );
}

/** The page's heading (what was fetched, which characters) and text, and how to read on when it is cut. */
function describePage(document: FetchedDocument, description: string, page: ContentPage): string {
  const redirect = document.finalUrl === document.requestedUrl ? '' : `, redirected to ${document.finalUrl}`;
  const range =
    page.startIndex === 0 && page.nextStartIndex === undefined
      ? `${page.totalLength} characters`
      : `characters ${page.startIndex}-${page.endIndex} of ${page.totalLength}`;
  const heading = `Contents of ${document.requestedUrl} (${description}${redirect}; ${range}):\n`;
  const body = page.totalLength === 0 ? '(no text)' : page.text;
  const more =
    page.nextStartIndex === undefined
      ? ''
      : `\n\n<error>Content truncated. Call the fetch tool with a start_index of ${page.nextStartIndex} to get more content.</error>`;
  return `${heading}${body}${more}`;
}

/** A password written in the URL (`user:secret@host`) is sent, but never shown: results end up in transcripts. */
function withoutPassword(text: string, url: string): string {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (password === '') return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // keep the encoded form only
  }
  return [...new Set([password, decoded])].reduce((redacted, secret) => redacted.split(secret).join('***'), text);
}

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FetchOptions } from '../../config/config-schema.js';
import { AddressPolicy } from './address-policy.js';
import { ExpiringCache } from './expiring-cache.js';
import type { FetchedDocument } from './fetched-document.js';
import { registerFetchTool } from './tools/fetch.js';

export type FetchServerOptions = FetchOptions;

/** How long a fetched page is served from memory, so that paging through it does not fetch it again. */
export const CACHE_TTL_MS = 5 * 60_000;
const cacheMaxEntries = 20;
/** UTF-16 units (2 bytes each) held by the cache at most, converted markdown counted in: about 64 MB. */
const cacheMaxCharacters = 32_000_000;

const serverVersion = '0.1.0';

/**
 * The built-in fetch MCP server ("fetch"), after the reference Python server: one tool, `fetch`, that GETs
 * an http(s) URL and returns HTML as readable markdown (or raw), text formats as text, in pages of
 * max_length characters. Only public internet addresses are reached unless options allow more.
 */
export function createFetchServer(options: FetchServerOptions): McpServer {
  const policy = new AddressPolicy(options);
  const cache = new ExpiringCache<FetchedDocument>({
    ttlMs: CACHE_TTL_MS,
    maxEntries: cacheMaxEntries,
    maxSize: cacheMaxCharacters,
    sizeOf: (document) => document.weight,
  });
  const server = new McpServer({ name: 'fetch', version: serverVersion });
  registerFetchTool(server, { options, policy, cache });
  return server;
}

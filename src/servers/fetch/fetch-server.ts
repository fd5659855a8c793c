// PLACEHOLDER (replaced by the fetch server work): the signature builtin-servers.ts relies on.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FetchOptions } from '../../config/config-schema.js';

export type FetchServerOptions = FetchOptions;

export function createFetchServer(_options: FetchServerOptions): McpServer {
  throw new Error('the fetch server is not built yet');
}

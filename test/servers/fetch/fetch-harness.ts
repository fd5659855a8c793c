import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchOptionsSchema } from '../../../src/config/config-schema.js';
import { createFetchServer, type FetchServerOptions } from '../../../src/servers/fetch/fetch-server.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse, site: TestSite) => void;

/** A real HTTP server on 127.0.0.1 that serves fixed routes and remembers every request it got. */
export interface TestSite {
  origin: string;
  port: number;
  /** Paths (with query) of the requests received, in order. */
  requests: string[];
  /** Headers of the requests received, in order. */
  headers: IncomingMessage['headers'][];
  /** How many requests asked for `path` (with query). */
  count(path: string): number;
  /** Resolves when a request for `path` has arrived (at once if one already did). */
  requestArrived(path: string): Promise<void>;
  /** Resolves when the connection of the (first) request for `path` has closed. */
  connectionClosed(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a site; unknown paths get 404 with a short HTML body. */
export async function startTestSite(routes: Record<string, RouteHandler>): Promise<TestSite> {
  const requests: string[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const arrivals = new Map<string, Promise<void>>();
  const arrivalResolvers = new Map<string, () => void>();
  const closes = new Map<string, Promise<void>>();
  const closeResolvers = new Map<string, () => void>();
  const settle = (map: Map<string, Promise<void>>, resolvers: Map<string, () => void>, path: string) => {
    if (!map.has(path)) map.set(path, new Promise<void>((resolve) => resolvers.set(path, resolve)));
    return map.get(path) as Promise<void>;
  };
  let site: TestSite;
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    headers.push(request.headers);
    settle(closes, closeResolvers, path);
    request.socket.once('close', () => closeResolvers.get(path)?.());
    settle(arrivals, arrivalResolvers, path);
    arrivalResolvers.get(path)?.();
    const route = routes[path.split('?')[0] ?? '/'];
    if (route === undefined) {
      response
        .writeHead(404, { 'content-type': 'text/html' })
        .end('<html><body><h1>Not Found</h1><p>No page at this path.</p></body></html>');
      return;
    }
    route(request, response, site);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  site = {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    headers,
    count: (path) => requests.filter((requested) => requested === path).length,
    requestArrived: (path) => settle(arrivals, arrivalResolvers, path),
    connectionClosed: (path) => settle(closes, closeResolvers, path),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  return site;
}

/** Options as config.json would give them (schema defaults), test servers on 127.0.0.1 allowed unless overridden. */
export function fetchOptions(overrides: Partial<FetchServerOptions> = {}): FetchServerOptions {
  return fetchOptionsSchema.parse({ allowedHosts: ['127.0.0.1'], userAgent: 'mux-swarm-fetch-test', ...overrides });
}

/** A real MCP client connected to a fresh fetch server. */
export function connectFetchServer(overrides: Partial<FetchServerOptions> = {}): Promise<McpTestClient> {
  return connectTestClient(createFetchServer(fetchOptions(overrides)));
}

/** The body part of a successful result (what follows the "Contents of …:" line). */
export function bodyOf(text: string): string {
  return text.slice(text.indexOf('\n') + 1);
}

/** A port on 127.0.0.1 with nothing listening (a server was started there and closed). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MuxSwarmError, describeError } from '../errors/mux-swarm-error.js';
import type { DashboardOptions } from './dashboard-options.js';
import { refusal, TOKEN_COOKIE } from './request-guard.js';
import { Responder } from './responses.js';
import { route } from './routes.js';
import { StateReader } from './state-reader.js';

export interface Dashboard {
  /** The address to open (with `?token=` when one is required). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the dashboard over `node:http`: every request passes the guard (origin, host, token), then the router;
 * an error becomes a 500 with its message (scrubbed, like every body), never a crashed server.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const reader = new StateReader(options.stateDirectory);
  const responder = new Responder(options.scrubber);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    try {
      const refused = refusal(request, url, options.token);
      if (refused) return responder.error(response, refused.status, refused.message);
      // A page opened with ?token= keeps it in a cookie (EventSource and fetch send it), and loses it from the address bar.
      if (options.token !== undefined && url.searchParams.has('token') && (request.method ?? 'GET') === 'GET') {
        url.searchParams.delete('token');
        response.writeHead(303, {
          location: `${url.pathname}${url.search}`,
          'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`,
        });
        return response.end();
      }
      route(request, response, url, { options, reader, responder });
    } catch (error) {
      if (!response.headersSent) responder.error(response, 500, describeError(error));
      else response.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new MuxSwarmError(
          'dashboard_listen_failed',
          `the dashboard cannot listen on ${options.host}:${options.port} (${error.code ?? error.message}); choose another --port or --host`,
        ),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/${options.token === undefined ? '' : `?token=${options.token}`}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      reader.close();
    },
  };
}

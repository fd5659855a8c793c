import { rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The sandbox's only way out when its network is an allow-list: an HTTP proxy on a Unix socket outside the sandbox
 * (bound into it), which opens a connection only to the `host:port` pairs allowed — CONNECT for TLS, absolute-URI
 * requests for plain HTTP — and refuses anything else with 403 and the reason. Inside, a forwarder listens on
 * 127.0.0.1:EGRESS_PORT and HTTP(S)_PROXY point at it; a program that ignores the proxy finds no network at all.
 */
/** The port the forwarder inside the sandbox listens on, and the socket's path inside. */
export const EGRESS_PORT = 3128;
export const EGRESS_SOCKET_INSIDE = '/tmp/.mux-swarm-egress.sock';

/** The proxies of this process by allow-list: started once (the promise is kept, so concurrent launches share one). */
const proxies = new Map<string, Promise<string>>();
let sequence = 0;

/** The socket of the proxy for this allow-list, started on first use and removed when the process exits. */
export function egressSocketFor(allow: readonly string[]): Promise<string> {
  const key = [...allow].sort().join(',');
  let socket = proxies.get(key);
  if (socket === undefined) {
    socket = startProxy(allow);
    proxies.set(key, socket);
  }
  return socket;
}

async function startProxy(allow: readonly string[]): Promise<string> {
  const socket = join(tmpdir(), `mux-swarm-egress-${process.pid}-${(sequence += 1)}.sock`);
  rmSync(socket, { force: true });
  const allowed = new Set(allow.map((entry) => entry.toLowerCase()));
  const server = createServer((request, response) => forwardPlainHttp(request, response, allowed));
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) =>
    tunnel(request, client, head, allowed),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });
  server.unref();
  process.once('exit', () => rmSync(socket, { force: true }));
  return socket;
}

/** CONNECT host:port: a tunnel to an allowed address, else 403. */
function tunnel(request: IncomingMessage, client: Socket, head: Buffer, allowed: ReadonlySet<string>): void {
  const target = (request.url ?? '').toLowerCase();
  const [host, portText] = splitHostPort(target);
  if (host === undefined || !allowed.has(`${host}:${portText}`)) {
    client.end(refusal(target));
    return;
  }
  const upstream = connect(Number(portText), host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (error) =>
    client.end(
      `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\nmux-swarm sandbox: cannot reach ${target}: ${error.message}\n`,
    ),
  );
  client.on('error', () => upstream.destroy());
}

/** GET http://host:port/path through the proxy: forwarded when allowed, else 403. */
function forwardPlainHttp(request: IncomingMessage, response: ServerResponse, allowed: ReadonlySet<string>): void {
  let url: URL;
  try {
    url = new URL(request.url ?? '');
  } catch {
    response
      .writeHead(400, { 'content-type': 'text/plain' })
      .end('mux-swarm sandbox: a proxy request needs an absolute URL\n');
    return;
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const target = `${url.hostname.toLowerCase()}:${port}`;
  if (url.protocol !== 'http:' || !allowed.has(target)) {
    response.writeHead(403, { 'content-type': 'text/plain' }).end(refusalText(target));
    return;
  }
  const upstream = httpRequest(
    {
      host: url.hostname,
      port: Number(port),
      method: request.method,
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) =>
    response
      .writeHead(502, { 'content-type': 'text/plain' })
      .end(`mux-swarm sandbox: cannot reach ${target}: ${error.message}\n`),
  );
  request.pipe(upstream);
}

function splitHostPort(target: string): [string | undefined, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  return match === null ? [undefined, ''] : [match[1], match[2]!];
}

function refusal(target: string): string {
  const text = refusalText(target);
  return `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}

function refusalText(target: string): string {
  return `mux-swarm sandbox: ${target} is not in this server's network allow-list (sandbox.network.allow in config.json)\n`;
}

/**
 * The forwarder run inside the sandbox (by the node that runs mux-swarm, given as code: nothing to find on disk):
 * 127.0.0.1:EGRESS_PORT → the proxy's socket; it writes `ready` when it listens.
 */
export const EGRESS_FORWARDER = [
  "const net = require('node:net'); const fs = require('node:fs');",
  `const server = net.createServer((client) => { const out = net.connect(${JSON.stringify(EGRESS_SOCKET_INSIDE)}); client.pipe(out); out.pipe(client); out.on('error', () => client.destroy()); client.on('error', () => out.destroy()); });`,
  `server.listen(${EGRESS_PORT}, '127.0.0.1', () => fs.writeFileSync('/tmp/.mux-swarm-egress-ready', ''));`,
].join(' ');

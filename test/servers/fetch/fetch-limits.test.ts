import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { McpTestClient } from '../../support/mcp-test-client.js';
import { bodyOf, connectFetchServer, startTestSite, type TestSite } from './fetch-harness.js';

let site: TestSite;
const clients: McpTestClient[] = [];
const held: ServerResponse[] = [];

async function connect(overrides: Parameters<typeof connectFetchServer>[0] = {}): Promise<McpTestClient> {
  const client = await connectFetchServer(overrides);
  clients.push(client);
  return client;
}

/** Writes 16 KiB chunks for as long as the client reads them. */
function writeForever(response: ServerResponse): void {
  const chunk = Buffer.alloc(16 * 1024, 'a');
  const pump = (): void => {
    while (!response.destroyed && response.write(chunk)) {
      // keep writing until the socket pushes back
    }
  };
  response.on('drain', pump);
  pump();
}

before(async () => {
  site = await startTestSite({
    '/hang': (_request, response) => void held.push(response),
    '/slow-body': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).write('the first part arrives, the rest never does');
      held.push(response);
    },
    '/declared-huge': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(50_000_000) });
      writeForever(response);
    },
    '/endless': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      writeForever(response);
    },
    '/gzip-bomb': (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
        .end(gzipSync(Buffer.alloc(5_000_000, 'z'))),
    '/missing': (_request, response) =>
      response
        .writeHead(404, { 'content-type': 'text/html' })
        .end('<html><head><style>p{}</style></head><body><h1>Gone fishing</h1><p>No river here.</p></body></html>'),
    '/broken': (_request, response) =>
      response.writeHead(500, { 'content-type': 'text/plain' }).end('database exploded at line 42'),
    '/forbidden': (_request, response) => response.writeHead(403).end(),
    '/chain': (request, response) => {
      const remaining = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('n'));
      if (remaining > 0) response.writeHead(302, { location: `chain?n=${remaining - 1}` }).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end('end of the chain');
    },
    '/to-file': (_request, response) => response.writeHead(302, { location: 'file:///etc/passwd' }).end(),
  });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await site.close();
});

describe('fetch tool: time limit and cancellation', () => {
  it('gives up on a server that never answers when timeoutMs has passed', async () => {
    const client = await connect({ timeoutMs: 300 });
    const result = await client.call('fetch', { url: `${site.origin}/hang` });
    assert.equal(result.isError, true);
    assert.match(result.text, /^Fetching http:\/\/127\.0\.0\.1:\d+\/hang timed out after 300 ms \(options\.timeoutMs/);
    await site.connectionClosed('/hang');
  });

  it('counts the body in the time limit', async () => {
    const client = await connect({ timeoutMs: 300 });
    const result = await client.call('fetch', { url: `${site.origin}/slow-body` });
    assert.equal(result.isError, true);
    assert.match(result.text, /slow-body timed out after 300 ms/);
    await site.connectionClosed('/slow-body');
  });

  it('stops fetching and closes the connection when the call is cancelled', { timeout: 20_000 }, async () => {
    const client = await connect({ timeoutMs: 600_000 });
    const controller = new AbortController();
    const call = client.call('fetch', { url: `${site.origin}/hang?cancel` }, { signal: controller.signal });
    await site.requestArrived('/hang?cancel');
    controller.abort(new Error('the user pressed Ctrl-C'));
    await assert.rejects(call, /Ctrl-C/);
    await site.connectionClosed('/hang?cancel');
  });
});

describe('fetch tool: size limit', () => {
  it('refuses a body whose Content-Length is over maxBytes', async () => {
    const client = await connect({ maxBytes: 100_000 });
    const result = await client.call('fetch', { url: `${site.origin}/declared-huge` });
    assert.equal(result.isError, true);
    assert.match(
      result.text,
      /larger than the limit of 100000 bytes .*options\.maxBytes.*: its Content-Length is 50000000 bytes/,
    );
    await site.connectionClosed('/declared-huge');
  });

  it('stops reading an endless body at maxBytes and closes the connection', { timeout: 20_000 }, async () => {
    const client = await connect({ maxBytes: 100_000, timeoutMs: 600_000 });
    const result = await client.call('fetch', { url: `${site.origin}/endless` });
    assert.equal(result.isError, true);
    assert.match(
      result.text,
      /larger than the limit of 100000 bytes .*: more than 100000 bytes arrived; reading stopped there/,
    );
    await site.connectionClosed('/endless');
  });

  it('counts decompressed bytes, so a small gzip bomb is refused', async () => {
    const client = await connect({ maxBytes: 100_000 });
    const result = await client.call('fetch', { url: `${site.origin}/gzip-bomb` });
    assert.equal(result.isError, true);
    assert.match(result.text, /more than 100000 bytes arrived/);
  });
});

describe('fetch tool: HTTP errors', () => {
  it('reports 404 with the start of the error page as text', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/missing` });
    assert.equal(result.isError, true);
    assert.match(result.text, /failed: the server answered HTTP 404 Not Found\. The page does not exist/);
    assert.match(result.text, /The response began: "Gone fishing No river here\."/);
  });

  it('reports 500 as a server failure worth retrying later', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/broken` });
    assert.equal(result.isError, true);
    assert.match(result.text, /HTTP 500 Internal Server Error\. The server failed: try again later/);
    assert.match(result.text, /"database exploded at line 42"/);
  });

  it('reports 403 as refused access', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/forbidden` });
    assert.equal(result.isError, true);
    assert.match(result.text, /HTTP 403 Forbidden\. The server refuses access/);
  });
});

describe('fetch tool: redirects', () => {
  it('follows a chain of five redirects and says where the content came from', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/chain?n=5` });
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, new RegExp(`redirected to ${site.origin}/chain\\?n=0;`));
    assert.equal(bodyOf(result.text), 'end of the chain');
    for (let n = 0; n <= 5; n += 1) assert.equal(site.count(`/chain?n=${n}`), 1, `chain?n=${n}`);
  });

  it('stops after five redirects without following the sixth', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/chain?n=16` });
    assert.equal(result.isError, true);
    assert.match(result.text, /stopped after 5 redirects \(the last, from .*chain\?n=11, pointed to chain\?n=10\)/);
    assert.equal(site.count('/chain?n=10'), 0);
    assert.equal(site.count('/chain?n=11'), 1);
  });

  it('does not follow a redirect to another scheme', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/to-file` });
    assert.equal(result.isError, true);
    assert.match(result.text, /redirected to file:\/\/\/etc\/passwd; only http and https redirects are followed/);
  });
});

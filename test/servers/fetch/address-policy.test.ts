import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { McpTestClient } from '../../support/mcp-test-client.js';
import { bodyOf, connectFetchServer, startTestSite, type TestSite } from './fetch-harness.js';

let site: TestSite;
const clients: McpTestClient[] = [];

async function connect(overrides: Parameters<typeof connectFetchServer>[0]): Promise<McpTestClient> {
  const client = await connectFetchServer(overrides);
  clients.push(client);
  return client;
}

before(async () => {
  site = await startTestSite({
    '/page': (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('loopback page'),
    '/to-localhost': (_request, response, current) =>
      response.writeHead(302, { location: `http://localhost:${current.port}/page` }).end(),
    '/to-metadata': (_request, response) =>
      response.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/to-mapped': (_request, response, current) =>
      response.writeHead(301, { location: `http://[::ffff:127.0.0.1]:${current.port}/page` }).end(),
  });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await site.close();
});

describe('fetch tool: address policy by default', () => {
  it('refuses loopback, private, link-local and metadata addresses however the URL writes them, without connecting', async () => {
    const client = await connect({ allowedHosts: [] });
    const port = site.port;
    const cases: [string, RegExp][] = [
      [`http://127.0.0.1:${port}/page`, /127\.0\.0\.1 is a loopback \(127\.0\.0\.0\/8\) address/],
      [`http://0x7f000001:${port}/page`, /127\.0\.0\.1 is a loopback/],
      [`http://2130706433:${port}/page`, /127\.0\.0\.1 is a loopback/],
      [`http://127.1:${port}/page`, /127\.0\.0\.1 is a loopback/],
      [`http://[::1]:${port}/page`, /::1 is the loopback \(::1\) address/],
      [`http://[::ffff:127.0.0.1]:${port}/page`, /::ffff:7f00:1 is a loopback .* written as IPv4-mapped IPv6/],
      [`http://[::]:${port}/page`, /:: is the unspecified/],
      [`http://0.0.0.0:${port}/page`, /0\.0\.0\.0 is a "this network"/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local and cloud metadata/],
      ['http://10.1.2.3/', /10\.1\.2\.3 is a private network/],
      ['http://192.168.0.1/', /192\.168\.0\.1 is a private network/],
      ['http://100.64.0.1/', /100\.64\.0\.1 is a carrier-grade NAT/],
      ['http://[fd00::1]/', /fd00::1 is a unique local/],
      ['http://[fe80::1]/', /fe80::1 is a link-local/],
      ['http://224.0.0.1/', /224\.0\.0\.1 is a multicast/],
    ];
    for (const [url, reason] of cases) {
      const result = await client.call('fetch', { url });
      assert.equal(result.isError, true, url);
      assert.match(result.text, /^Refused to fetch /, url);
      assert.match(result.text, reason, result.text);
      assert.match(result.text, /add "[^"]+" to options\.allowedHosts of the fetch server in config\.json/, url);
    }
    assert.equal(site.requests.length, 0, 'no refused URL may reach the server');
  });

  it('checks the addresses a name resolves to: localhost is refused as loopback', async () => {
    const client = await connect({ allowedHosts: [] });
    const result = await client.call('fetch', { url: `http://localhost:${site.port}/page` });
    assert.equal(result.isError, true);
    assert.match(result.text, /the host "localhost" resolves to (127\.0\.0\.1|::1), a loopback/);
    assert.match(result.text, /add "localhost" to options\.allowedHosts/);
    assert.equal(site.count('/page'), 0);
  });
});

describe('fetch tool: exemptions', () => {
  it('fetches from a host listed in allowedHosts, by that name only', async () => {
    const client = await connect({ allowedHosts: ['localhost'] });
    const byName = await client.call('fetch', { url: `http://localhost:${site.port}/page` });
    assert.equal(byName.isError, false, byName.text);
    assert.equal(bodyOf(byName.text), 'loopback page');
    const byAddress = await client.call('fetch', { url: `http://127.0.0.1:${site.port}/page` });
    assert.equal(byAddress.isError, true);
    assert.match(byAddress.text, /Refused to fetch/);
  });

  it('fetches any address with allowPrivateNetwork', async () => {
    const client = await connect({ allowedHosts: [], allowPrivateNetwork: true });
    for (const url of [
      `http://127.0.0.1:${site.port}/page`,
      `http://localhost:${site.port}/page`,
      `http://0x7f000001:${site.port}/page`,
    ]) {
      const result = await client.call('fetch', { url });
      assert.equal(result.isError, false, `${url}: ${result.text}`);
      assert.equal(bodyOf(result.text), 'loopback page');
    }
  });
});

describe('fetch tool: redirects are checked hop by hop', () => {
  it('refuses a redirect from an allowed host to a name that resolves to loopback', async () => {
    const client = await connect({ allowedHosts: ['127.0.0.1'] });
    const before = site.count('/page');
    const result = await client.call('fetch', { url: `${site.origin}/to-localhost` });
    assert.equal(result.isError, true);
    assert.match(
      result.text,
      new RegExp(
        `Refused to fetch http://localhost:${site.port}/page \\(redirected from ${site.origin}/to-localhost\\)`,
      ),
    );
    assert.match(result.text, /add "localhost" to options\.allowedHosts/);
    assert.equal(site.count('/page'), before, 'the redirect target must not be requested');
  });

  it('refuses a redirect to the cloud metadata address', async () => {
    const client = await connect({ allowedHosts: ['127.0.0.1'] });
    const result = await client.call('fetch', { url: `${site.origin}/to-metadata` });
    assert.equal(result.isError, true);
    assert.match(result.text, /Refused to fetch http:\/\/169\.254\.169\.254\/latest\/meta-data\/ \(redirected from/);
  });

  it('refuses a redirect to an IPv4-mapped IPv6 form of an allowed address', async () => {
    const client = await connect({ allowedHosts: ['127.0.0.1'] });
    const result = await client.call('fetch', { url: `${site.origin}/to-mapped` });
    assert.equal(result.isError, true);
    assert.match(result.text, /written as IPv4-mapped IPv6/);
  });
});

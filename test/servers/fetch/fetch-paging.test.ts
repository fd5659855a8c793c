import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { McpTestClient } from '../../support/mcp-test-client.js';
import { bodyOf, connectFetchServer, startTestSite, type TestSite } from './fetch-harness.js';
import { articlePage } from './fixtures.js';

/** 2,500 characters, no two windows alike: "00000 00001 00002 …". */
const longText = Array.from({ length: 2500 / 6 + 1 }, (_, index) => `${String(index).padStart(5, '0')} `)
  .join('')
  .slice(0, 2500);

let site: TestSite;
const clients: McpTestClient[] = [];

async function connect(overrides: Parameters<typeof connectFetchServer>[0] = {}): Promise<McpTestClient> {
  const client = await connectFetchServer(overrides);
  clients.push(client);
  return client;
}

before(async () => {
  site = await startTestSite({
    '/long': (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(longText),
    '/article': (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(articlePage),
    '/emoji': (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('aaaaaaaaa😀bbb'),
    '/default-length': (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(150)),
  });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await site.close();
});

describe('fetch tool: paging', () => {
  it('returns consecutive slices, says where to continue, and fetches the page once', async () => {
    const client = await connect();
    const first = await client.call('fetch', { url: `${site.origin}/long`, max_length: 1000 });
    assert.match(first.text, /characters 0-1000 of 2500\):\n/);
    assert.match(
      first.text,
      /\n\n<error>Content truncated\. Call the fetch tool with a start_index of 1000 to get more content\.<\/error>$/,
    );
    const second = await client.call('fetch', { url: `${site.origin}/long`, max_length: 1000, start_index: 1000 });
    assert.match(second.text, /characters 1000-2000 of 2500\)/);
    assert.match(second.text, /start_index of 2000 to get more content/);
    const third = await client.call('fetch', { url: `${site.origin}/long`, max_length: 1000, start_index: 2000 });
    assert.match(third.text, /characters 2000-2500 of 2500\)/);
    assert.ok(!third.text.includes('Content truncated'), third.text);

    const slice = (text: string) => bodyOf(text).replace(/\n\n<error>.*<\/error>$/, '');
    assert.equal(slice(first.text) + slice(second.text) + slice(third.text), longText);
    assert.equal(site.count('/long'), 1, 'the later pages must come from the cache');
  });

  it('uses options.maxLength when the call gives no max_length', async () => {
    const client = await connect({ maxLength: 100 });
    const result = await client.call('fetch', { url: `${site.origin}/default-length` });
    assert.match(result.text, /characters 0-100 of 150\)/);
    assert.match(result.text, /start_index of 100 /);
  });

  it('pages converted markdown and raw HTML of the same URL from one fetch', async () => {
    const client = await connect();
    const whole = bodyOf((await client.call('fetch', { url: `${site.origin}/article` })).text);
    const first = await client.call('fetch', { url: `${site.origin}/article`, max_length: 200 });
    const rest = await client.call('fetch', { url: `${site.origin}/article`, start_index: 200 });
    assert.equal(bodyOf(first.text).replace(/\n\n<error>.*<\/error>$/, '') + bodyOf(rest.text), whole);
    const raw = await client.call('fetch', { url: `${site.origin}/article`, raw: true, max_length: 100 });
    assert.equal(bodyOf(raw.text).replace(/\n\n<error>.*<\/error>$/, ''), articlePage.slice(0, 100));
    assert.equal(site.count('/article'), 1);
  });

  it('keeps a cache per server: another server fetches again', async () => {
    const before = site.count('/long');
    const client = await connect();
    await client.call('fetch', { url: `${site.origin}/long`, max_length: 10 });
    assert.equal(site.count('/long'), before + 1);
  });

  it('never splits a surrogate pair at a page edge', async () => {
    const client = await connect();
    const first = await client.call('fetch', { url: `${site.origin}/emoji`, max_length: 10 });
    assert.equal(bodyOf(first.text).replace(/\n\n<error>.*<\/error>$/, ''), 'aaaaaaaaa');
    assert.match(first.text, /start_index of 9 /);
    const second = await client.call('fetch', { url: `${site.origin}/emoji`, start_index: 9, max_length: 10 });
    assert.equal(bodyOf(second.text), '😀bbb');
  });

  it('refuses a start_index at or past the end', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/long`, start_index: 2500 });
    assert.equal(result.isError, true);
    assert.match(
      result.text,
      /No more content: start_index 2500 is at or past the end of .*\/long, which has 2500 characters/,
    );
  });

  it('rejects a max_length that is not a positive whole number', async () => {
    const client = await connect();
    const result = await client.call('fetch', { url: `${site.origin}/long`, max_length: 0 });
    assert.equal(result.isError, true);
    assert.match(result.text, /max_length/);
  });
});

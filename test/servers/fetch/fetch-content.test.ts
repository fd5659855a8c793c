import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { McpTestClient } from '../../support/mcp-test-client.js';
import { REPOSITORY_ROOT } from '../../support/run-cli.js';
import { bodyOf, connectFetchServer, startTestSite, type TestSite, unusedPort } from './fetch-harness.js';
import { articlePage, listingPage } from './fixtures.js';

let site: TestSite;
let client: McpTestClient;

before(async () => {
  site = await startTestSite({
    '/article': (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage),
    '/listing': (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(listingPage),
    '/untyped-html': (_request, response) => response.end(articlePage),
    '/fragment': (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<p>Just a <strong>fragment</strong> of HTML.</p><script>FRAGMENT_SCRIPT</script>'),
    '/text': (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end('plain line one\n  <b>not html</b>\n'),
    '/json': (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"river":"Avon","levels":[1,2,3]}'),
    '/feed': (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end('<rss><channel><title>Feed</title></channel></rss>'),
    '/markdown': (_request, response) =>
      response.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end('# Title\n\n- item\n'),
    '/latin1': (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' })
        .end(Buffer.from([0x63, 0x61, 0x66, 0xe9])),
    '/gzip': (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
        .end(gzipSync('compressed river text')),
    '/image': (_request, response) =>
      response.writeHead(200, { 'content-type': 'image/png', 'content-length': '2048' }).end(Buffer.alloc(2048, 1)),
    '/untyped-binary': (_request, response) =>
      response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02])),
    '/empty': (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(),
  });
  client = await connectFetchServer();
});

after(async () => {
  await client.close();
  await site.close();
});

describe('fetch tool: the server', () => {
  it('lists one tool, fetch, with url, max_length, start_index and raw', async () => {
    const { tools } = await client.client.listTools();
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['fetch'],
    );
    const properties = Object.keys((tools[0]?.inputSchema.properties ?? {}) as object).sort();
    assert.deepEqual(properties, ['max_length', 'raw', 'start_index', 'url']);
    assert.equal(tools[0]?.annotations?.readOnlyHint, true);
  });

  it('sends the configured user agent', async () => {
    await client.call('fetch', { url: `${site.origin}/text` });
    assert.equal(site.headers.at(-1)?.['user-agent'], 'mux-swarm-fetch-test');
  });

  it('sends a password written in the URL as basic auth, and never shows it in results or errors', async () => {
    const page = await client.call('fetch', { url: `http://agent:s3cret%2Dpass@127.0.0.1:${site.port}/text` });
    assert.equal(page.isError, false, page.text);
    assert.equal(site.headers.at(-1)?.authorization, `Basic ${Buffer.from('agent:s3cret-pass').toString('base64')}`);
    const missing = await client.call('fetch', {
      url: `http://agent:s3cret%2Dpass@127.0.0.1:${site.port}/no-such-page`,
    });
    assert.equal(missing.isError, true);
    for (const text of [page.text, missing.text]) {
      assert.ok(!text.includes('s3cret'), text);
      assert.match(text, /agent:\*\*\*@127\.0\.0\.1/);
    }
  });
});

describe('fetch tool: HTML', () => {
  it('turns an article into markdown: title, headings, text and absolute links kept; navigation, scripts and styles dropped', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/article` });
    assert.equal(result.isError, false, result.text);
    assert.match(
      result.text,
      /^Contents of http:\/\/127\.0\.0\.1:\d+\/article \(text\/html converted to markdown \(main article\)/,
    );
    const markdown = bodyOf(result.text);
    assert.match(markdown, /^# River Notes$/m);
    assert.match(markdown, /^## Upstream Section$/m);
    assert.match(markdown, /^### Mill Details$/m);
    assert.match(markdown, /Paragraph 3 of the river article tells how the water runs/);
    assert.ok(markdown.includes(`[note 2](${site.origin}/notes/2)`), markdown);
    assert.match(markdown, /^- first mill on the bend$/m);
    for (const noise of ['NAV_HOME', 'NAV_ABOUT', 'SCRIPT_IN_HEAD', 'SCRIPT_IN_BODY', 'STYLE_RULE', '<p>', '<a ']) {
      assert.ok(!markdown.includes(noise), `${noise} should not be in:\n${markdown}`);
    }
  });

  it('converts a page that is not an article whole, without navigation, scripts and noscript', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/listing` });
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /whole page; no article found/);
    const markdown = bodyOf(result.text);
    assert.match(markdown, /^# Station Index$/m);
    assert.match(markdown, /^\| Station +\| Level \|$/m);
    assert.match(markdown, /^\| Upper Ford \| 3\.2 +\|$/m);
    assert.ok(markdown.includes(`[Lower gauge](${site.origin}/data/lower.csv)`), markdown);
    for (const noise of ['LISTING_NAV', 'LISTING_SCRIPT', 'LISTING_NOSCRIPT'])
      assert.ok(!markdown.includes(noise), `${noise} in:\n${markdown}`);
  });

  it('converts an HTML fragment without <html> or <body>', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/fragment` });
    assert.equal(result.isError, false, result.text);
    assert.equal(bodyOf(result.text), 'Just a **fragment** of HTML.');
  });

  it('recognises HTML sent without a Content-Type by its opening', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/untyped-html` });
    assert.equal(result.isError, false, result.text);
    assert.match(bodyOf(result.text), /^## Upstream Section$/m);
    assert.ok(!result.text.includes('SCRIPT_IN_BODY'));
  });

  it('returns the HTML source unchanged with raw: true', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/article`, raw: true });
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /\(raw text\/html; /);
    assert.equal(bodyOf(result.text), articlePage);
  });
});

describe('fetch tool: text and binary types', () => {
  it('returns text/plain as it is, markup included', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/text` });
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /\(text\/plain; 33 characters\)/);
    assert.equal(bodyOf(result.text), 'plain line one\n  <b>not html</b>\n');
  });

  it('returns JSON, XML feeds and markdown as text', async () => {
    const json = await client.call('fetch', { url: `${site.origin}/json` });
    assert.deepEqual(JSON.parse(bodyOf(json.text)), { river: 'Avon', levels: [1, 2, 3] });
    const feed = await client.call('fetch', { url: `${site.origin}/feed` });
    assert.equal(bodyOf(feed.text), '<rss><channel><title>Feed</title></channel></rss>');
    const markdown = await client.call('fetch', { url: `${site.origin}/markdown` });
    assert.equal(bodyOf(markdown.text), '# Title\n\n- item\n');
  });

  it('decodes the charset the server declares', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/latin1` });
    assert.equal(bodyOf(result.text), 'café');
  });

  it('decompresses a gzip body', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/gzip` });
    assert.equal(result.isError, false, result.text);
    assert.equal(bodyOf(result.text), 'compressed river text');
  });

  it('says so when the body is empty', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/empty` });
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, /0 characters\):\n\(no text\)$/);
  });

  it('refuses a binary type, naming the type and the size', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/image` });
    assert.equal(result.isError, true);
    assert.match(result.text, /is image\/png \(2048 bytes, 2\.00 KB\), a binary type this tool cannot turn into text/);
  });

  it('refuses a body without a Content-Type that is not text', async () => {
    const result = await client.call('fetch', { url: `${site.origin}/untyped-binary` });
    assert.equal(result.isError, true);
    assert.match(result.text, /undeclared binary type \(8 bytes/);
  });
});

describe('fetch tool: bad URLs and unreachable servers', () => {
  it('refuses schemes other than http and https', async () => {
    for (const url of ['ftp://example.com/file.txt', 'file:///etc/passwd', 'javascript:alert(1)']) {
      const result = await client.call('fetch', { url });
      assert.equal(result.isError, true, url);
      assert.match(result.text, /only http and https URLs are fetched/, url);
    }
  });

  it('refuses text that is not a URL', async () => {
    const result = await client.call('fetch', { url: 'river notes' });
    assert.equal(result.isError, true);
    assert.match(result.text, /"river notes" is not a valid URL: give an absolute http or https URL/);
  });

  it('reports a host name that does not resolve', async () => {
    const result = await client.call('fetch', { url: 'http://no-such-host.invalid/' });
    assert.equal(result.isError, true);
    assert.match(result.text, /the host name "no-such-host\.invalid" could not be resolved/);
  });

  it('reports a refused connection', async () => {
    const port = await unusedPort();
    const result = await client.call('fetch', { url: `http://127.0.0.1:${port}/` });
    assert.equal(result.isError, true);
    assert.match(result.text, new RegExp(`the connection to 127\\.0\\.0\\.1 failed \\(ECONNREFUSED`));
  });

  it('refuses an HTTPS server whose certificate it cannot trust, saying why', async () => {
    const tls = join(REPOSITORY_ROOT, 'test', 'fixtures', 'tls');
    const secure = createHttpsServer(
      { key: readFileSync(join(tls, 'self-signed.key')), cert: readFileSync(join(tls, 'self-signed.crt')) },
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('secret page');
      },
    );
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = secure.address() as AddressInfo;
      const result = await client.call('fetch', { url: `https://127.0.0.1:${port}/` });
      assert.equal(result.isError, true);
      assert.match(
        result.text,
        /the TLS connection to 127\.0\.0\.1 failed \(DEPTH_ZERO_SELF_SIGNED_CERT: .*\)\. The certificate is invalid, expired or for another name/,
      );
      assert.ok(!result.text.includes('secret page'));
    } finally {
      secure.closeAllConnections();
      await new Promise<void>((resolve) => secure.close(() => resolve()));
    }
  });
});

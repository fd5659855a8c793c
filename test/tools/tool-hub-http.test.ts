import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { McpServerStartError } from '../../src/errors/mcp-server-error.js';
import { ToolHub } from '../../src/tools/tool-hub.js';
import {
  startSseOnlyServer,
  startStatefulStreamableHttpServer,
  startStreamableHttpServer,
  type RunningHttpServer,
} from '../fixtures/hub-http-servers.js';
import { servers, tempContext, type TempContext } from '../fixtures/hub-test-support.js';

const TOKEN = 'hub-test-token-1';

async function startFailure(promise: Promise<ToolHub>): Promise<McpServerStartError> {
  const error = await promise.then(
    async (hub) => {
      await hub.close();
      return assert.fail('start should have failed');
    },
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof McpServerStartError, String(error));
  return error;
}

/** A TCP listener that accepts connections and never answers: an HTTP server that hangs. */
async function startHangingListener(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Sequential: the tests read the fixture servers' request logs.
describe('ToolHub over HTTP', () => {
  let temp: TempContext;
  let streamable: RunningHttpServer;
  let sseOnly: RunningHttpServer;

  before(async () => {
    temp = await tempContext();
    streamable = await startStreamableHttpServer(TOKEN);
    sseOnly = await startSseOnlyServer();
  });
  after(async () => {
    await streamable.close();
    await sseOnly.close();
    await temp.remove();
  });

  it('reaches a streamable-HTTP server through a {url, headers} entry, sending the headers with every request', async () => {
    const hub = await ToolHub.start(servers({ web: { url: streamable.url, headers: { 'x-hub-token': TOKEN } } }), {
      context: temp.context,
      startupTimeoutMs: 5_000,
    });
    try {
      assert.deepEqual(
        { ...hub.statuses[0] },
        { name: 'web', status: 'connected', transport: 'streamable-http', tools: 2, optional: false, restarts: 0 },
      );
      assert.deepEqual(
        hub
          .tools()
          .map((tool) => tool.exposedName)
          .sort(),
        ['web__echo', 'web__whoami'],
      );
      assert.deepEqual(await hub.call('web__echo', { text: 'over http' }), {
        text: 'streamable: over http',
        isError: false,
        structuredContent: undefined,
      });
      assert.equal((await hub.call('web__whoami', {})).text, `token=${TOKEN}`);
    } finally {
      await hub.close();
    }
  });

  it('fails a required HTTP server the server refuses (401) with the server, URL and status, without trying SSE', async () => {
    const before = streamable.requests.length;
    const error = await startFailure(
      ToolHub.start(servers({ web: { url: streamable.url, headers: { 'x-hub-token': 'wrong' } } }), {
        context: temp.context,
        startupTimeoutMs: 5_000,
      }),
    );
    assert.equal(error.server, 'web');
    assert.match(
      error.message,
      new RegExp(`^MCP server "web" did not start: cannot connect to ${streamable.url.replace(/[.]/g, '\\.')}: .*401`),
    );
    assert.deepEqual(
      streamable.requests.slice(before).filter((request) => !request.startsWith('POST /mcp')),
      [],
      'a 401 is an authentication problem, not an SSE-only server',
    );
  });

  it('falls back to SSE for a {type: "http"} entry whose server answers streamable HTTP with a 4xx', async () => {
    const before = sseOnly.requests.length;
    const hub = await ToolHub.start(servers({ legacy: { type: 'http', url: sseOnly.url } }), {
      context: temp.context,
      startupTimeoutMs: 5_000,
    });
    try {
      assert.equal(hub.statuses[0]?.transport, 'sse');
      assert.equal(hub.statuses[0]?.status, 'connected');
      assert.deepEqual(await hub.call('legacy__echo', { text: 'old transport' }), {
        text: 'sse-only: old transport',
        isError: false,
        structuredContent: undefined,
      });
      const requests = sseOnly.requests.slice(before);
      assert.equal(requests[0], 'POST /sse', 'streamable HTTP was tried first');
      assert.equal(requests[1], 'GET /sse', 'then SSE');
    } finally {
      await hub.close();
    }
  });

  it('goes straight to SSE for a {type: "sse"} entry', async () => {
    const before = sseOnly.requests.length;
    const hub = await ToolHub.start(servers({ legacy: { type: 'sse', url: sseOnly.url } }), {
      context: temp.context,
      startupTimeoutMs: 5_000,
    });
    try {
      assert.equal(hub.statuses[0]?.transport, 'sse');
      assert.equal((await hub.call('legacy__echo', { text: 'direct' })).text, 'sse-only: direct');
      assert.equal(sseOnly.requests.slice(before)[0], 'GET /sse');
      assert.ok(!sseOnly.requests.slice(before).includes('POST /sse'), 'no streamable-HTTP attempt');
    } finally {
      await hub.close();
    }
  });

  it('does not fall back for a {type: "streamable-http"} entry', async () => {
    const error = await startFailure(
      ToolHub.start(servers({ strict: { type: 'streamable-http', url: sseOnly.url } }), {
        context: temp.context,
        startupTimeoutMs: 5_000,
      }),
    );
    assert.match(
      error.message,
      /^MCP server "strict" did not start: cannot connect to http:\/\/127\.0\.0\.1:\d+\/sse: .*404/,
    );
  });

  it('fails with a clear reason when nothing listens at the URL', async () => {
    const closed = await startHangingListener();
    await closed.close(); // the port is now free: connections are refused
    const error = await startFailure(
      ToolHub.start(servers({ gone: { url: closed.url } }), { context: temp.context, startupTimeoutMs: 5_000 }),
    );
    assert.match(error.message, /^MCP server "gone" did not start: cannot connect to http:\/\/127\.0\.0\.1:\d+\/mcp: /);
  });

  it('gives up on an HTTP server that never answers after startupTimeoutMs, for streamable HTTP and for SSE', async () => {
    const hanging = await startHangingListener();
    try {
      for (const type of ['http', 'sse'] as const) {
        const started = Date.now();
        const error = await startFailure(
          ToolHub.start(servers({ stuck: { type, url: hanging.url } }), {
            context: temp.context,
            startupTimeoutMs: 500,
          }),
        );
        const elapsed = Date.now() - started;
        assert.match(
          error.message,
          /^MCP server "stuck" did not start: no answer within 500 ms \(startupTimeoutMs\)/,
          type,
        );
        assert.ok(elapsed >= 450 && elapsed < 2_500, `${type}: failed at the deadline (${elapsed} ms)`);
      }
    } finally {
      await hanging.close();
    }
  });

  it('reconnects when a streamable-HTTP server forgets the session (a restart) and sends the refused call again', async () => {
    const stateful = await startStatefulStreamableHttpServer();
    const warnings: string[] = [];
    const hub = await ToolHub.start(servers({ api: { url: stateful.url } }), {
      context: temp.context,
      startupTimeoutMs: 10_000,
      onWarning: (message) => warnings.push(message),
      restartDelayMs: () => 10,
    });
    try {
      assert.equal((await hub.call('api__echo', { text: 'one' })).text, 'stateful: one');
      assert.deepEqual(stateful.sessionIds, ['session-1']);
      await stateful.forgetSessions();

      const outcome = await hub.call('api__echo', { text: 'two' });
      assert.deepEqual(outcome, { text: 'stateful: two', isError: false, structuredContent: undefined });
      assert.deepEqual(stateful.sessionIds, ['session-1', 'session-2'], 'a new session was opened');
      assert.equal(hub.statuses[0]?.restarts, 1);
      assert.match(warnings[0]!, /^MCP server "api" stopped \(its HTTP session ended \(HTTP 404/);
      assert.equal((await hub.call('api__echo', { text: 'three' })).text, 'stateful: three');
    } finally {
      await hub.close();
      await stateful.close();
    }
  });
});

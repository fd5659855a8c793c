import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpServerStartError } from '../../src/errors/mcp-server-error.js';
import { ToolHub } from '../../src/tools/tool-hub.js';
import {
  livingProcessesWithArgument,
  newMarker,
  numberAfter,
  servers,
  tempContext,
  tsxServer,
  watchProcessesWithArgument,
  type TempContext,
} from '../fixtures/hub-test-support.js';
import { livingMembersOfGroup } from '../fixtures/process-helpers.js';

function linesOf(stderr: Array<[string, string]>, server: string): string[] {
  return stderr.filter(([name]) => name === server).map(([, line]) => line);
}

describe('ToolHub start-up failures', { concurrency: true }, () => {
  let temp: TempContext;
  before(async () => {
    temp = await tempContext();
  });
  after(async () => {
    await temp.remove();
  });

  it('a required server that exits at start-up fails the start with its name, reason and stderr, and closes the others', async () => {
    const goodMarker = newMarker();
    const stderr: Array<[string, string]> = [];
    const error = await ToolHub.start(
      servers({
        good: tsxServer('echo-mcp-server.ts', goodMarker),
        crashing: tsxServer('hub-crashing-mcp-server.ts', newMarker()),
        fs: { builtin: 'filesystem' },
      }),
      { context: temp.context, startupTimeoutMs: 15_000, onStderrLine: (server, line) => stderr.push([server, line]) },
    ).then(
      () => assert.fail('start should have failed'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof McpServerStartError, String(error));
    assert.equal(error.code, 'mcp_server_start_failed');
    assert.equal(error.server, 'crashing');
    assert.match(
      error.message,
      /^MCP server "crashing" did not start: .*hub-crashing-mcp-server\.ts --hub-test-marker=\S+: the process exited with code 1 before answering the MCP handshake/,
    );
    assert.match(
      error.message,
      /its stderr ended with:\n {4}hub-crashing: reading settings\n {4}hub-crashing: fatal: HUB_FIXTURE_TOKEN is not set\n/,
    );
    assert.match(
      error.message,
      /Fix the mcpServers\.crashing entry in config\.json, mark it "optional": true, or set "enabled": false\./,
    );
    assert.deepEqual(error.stderrTail, [
      'hub-crashing: reading settings',
      'hub-crashing: fatal: HUB_FIXTURE_TOKEN is not set',
    ]);

    const goodPid = numberAfter(linesOf(stderr, 'good'), 'pid');
    assert.ok(goodPid !== undefined, 'the good server had started and logged its pid');
    assert.deepEqual(livingMembersOfGroup(goodPid), [], 'the server that did start was closed, group and all');
    assert.deepEqual(livingProcessesWithArgument(goodMarker), []);
  });

  it('names every required server that failed, each with its own reason', async () => {
    const error = await ToolHub.start(
      servers({
        first: tsxServer('hub-crashing-mcp-server.ts', newMarker()),
        second: { command: 'mux-swarm-no-such-server' },
      }),
      { context: temp.context, startupTimeoutMs: 15_000 },
    ).then(
      () => assert.fail('start should have failed'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof McpServerStartError);
    assert.equal(error.server, 'first, second');
    assert.deepEqual(
      error.failures.map((failure) => failure.server),
      ['first', 'second'],
    );
    assert.match(
      error.message,
      /^2 MCP servers did not start:\n- MCP server "first" did not start: .*exited with code 1/,
    );
    assert.match(
      error.message,
      /\n- MCP server "second" did not start: mux-swarm-no-such-server: .*"mux-swarm-no-such-server" was not found/,
    );
  });

  it('an optional server that fails only warns: status failed, the other servers still work', async () => {
    const warnings: string[] = [];
    const hub = await ToolHub.start(
      servers({
        fs: { builtin: 'filesystem' },
        flaky: tsxServer('hub-crashing-mcp-server.ts', newMarker(), { optional: true }),
      }),
      { context: temp.context, startupTimeoutMs: 15_000, onWarning: (message) => warnings.push(message) },
    );
    try {
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0]!,
        /^optional MCP server "flaky" did not start: .*exited with code 1 before answering the MCP handshake; its tools are not available$/,
      );
      const flaky = hub.statuses.find((status) => status.name === 'flaky');
      assert.equal(flaky?.status, 'failed');
      assert.equal(flaky?.optional, true);
      assert.match(flaky?.error ?? '', /HUB_FIXTURE_TOKEN is not set/, 'the status keeps the stderr tail');
      assert.equal(hub.statuses.find((status) => status.name === 'fs')?.status, 'connected');
      assert.deepEqual(
        hub.tools().filter((tool) => tool.server === 'flaky'),
        [],
      );
      const listed = await hub.call('fs__list_allowed_directories', {});
      assert.equal(listed.isError, false);
      assert.ok(listed.text.includes(temp.context.workdir), listed.text);
    } finally {
      await hub.close();
    }
  });

  it('a server that never answers the handshake fails after startupTimeoutMs and its whole process group is killed', async () => {
    const marker = newMarker();
    const startupTimeoutMs = 2_500;
    const stderr: Array<[string, string]> = [];
    // The deadline passes once startupTimeoutMs has and the server has logged its pid, whichever is later: on a
    // busy machine tsx may take longer than the deadline to load the fixture, and a server stopped before it
    // started would prove nothing about its process group. (A server that never logs still ends the wait after
    // a minute, and fails the "had started" assertion below.) The wall-clock default is the next test's.
    let serverLogged: () => void = () => {};
    const logged = new Promise<void>((resolve) => {
      serverLogged = resolve;
      setTimeout(resolve, 60_000).unref();
    });
    let deadlineMs = 0;
    let expiredAt = 0;
    const started = Date.now();
    const error = await ToolHub.start(servers({ silent: tsxServer('hub-silent-mcp-server.ts', marker) }), {
      context: temp.context,
      startupTimeoutMs,
      startupDeadline: (_server, timeoutMs, expire) => {
        deadlineMs = timeoutMs;
        let cancelled = false;
        const waited = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
        void Promise.all([waited, logged]).then(() => {
          if (cancelled) return;
          expiredAt = Date.now();
          expire();
        });
        return () => (cancelled = true);
      },
      onStderrLine: (server, line) => {
        stderr.push([server, line]);
        if (server === 'silent' && line.startsWith('hub-silent pid=')) serverLogged();
      },
    }).then(
      () => assert.fail('start should have failed'),
      (failure: unknown) => failure,
    );
    const ended = Date.now();
    assert.ok(error instanceof McpServerStartError, String(error));
    assert.equal(error.server, 'silent');
    assert.match(
      error.message,
      /^MCP server "silent" did not start: no answer within 2\.5 s \(startupTimeoutMs\); it was stopped/,
    );
    assert.equal(deadlineMs, startupTimeoutMs, 'the deadline is startupTimeoutMs');
    assert.ok(expiredAt - started >= startupTimeoutMs - 50, `waited for the deadline (${expiredAt - started} ms)`);
    assert.ok(ended - expiredAt < 3_000, `did not hang past the deadline (${ended - expiredAt} ms)`);

    const pid = numberAfter(linesOf(stderr, 'silent'), 'pid');
    const helper = numberAfter(linesOf(stderr, 'silent'), 'helper');
    assert.ok(
      pid !== undefined && helper !== undefined,
      `the server had started (${linesOf(stderr, 'silent').join(' | ')})`,
    );
    assert.ok(
      error.stderrTail.some((line) => line.startsWith(`hub-silent pid=${pid}`)),
      'the error carries its stderr',
    );
    assert.deepEqual(livingMembersOfGroup(pid), [], 'neither the server nor its helper runs once start() rejected');
    assert.deepEqual(livingProcessesWithArgument(marker), []);
  });

  it('an optional server that never answers is stopped at the deadline while the others start', async () => {
    const marker = newMarker();
    const warnings: string[] = [];
    const watch = watchProcessesWithArgument(marker);
    const hub = await ToolHub.start(
      servers({ silent: tsxServer('hub-silent-mcp-server.ts', marker, { optional: true }), sh: { builtin: 'shell' } }),
      { context: temp.context, startupTimeoutMs: 1_000, onWarning: (message) => warnings.push(message) },
    );
    watch.stop();
    try {
      assert.deepEqual(warnings, [
        'optional MCP server "silent" did not start: no answer within 1 s (startupTimeoutMs); it was stopped; its tools are not available',
      ]);
      assert.equal(watch.seen.size, 1, 'the server had been started');
      for (const pid of watch.seen) assert.deepEqual(livingMembersOfGroup(pid), [], 'and its group is gone');
      assert.equal(hub.statuses.find((status) => status.name === 'silent')?.status, 'failed');
      assert.equal((await hub.call('sh__run_command', { argv: ['true'] })).isError, false);
    } finally {
      await hub.close();
    }
  });

  it('a built-in server with a bad configuration fails with the server named', async () => {
    const error = await ToolHub.start(
      servers({ files: { builtin: 'filesystem', options: { roots: ['does-not-exist'] } } }),
      {
        context: temp.context,
      },
    ).then(
      () => assert.fail('start should have failed'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof McpServerStartError);
    assert.match(error.message, /^MCP server "files" did not start: .*does-not-exist/);
  });
});

describe('ToolHub calls that go wrong', () => {
  const marker = newMarker();
  const stderr: Array<[string, string]> = [];
  const warnings: string[] = [];
  let temp: TempContext;
  let hub: ToolHub;

  before(async () => {
    temp = await tempContext();
    hub = await ToolHub.start(
      servers({
        slow: tsxServer('hub-paged-mcp-server.ts', marker, { timeoutMs: 400 }),
        victim: tsxServer('hub-paged-mcp-server.ts', marker, { maxRestarts: 0 }),
        fs: { builtin: 'filesystem' },
      }),
      {
        context: temp.context,
        startupTimeoutMs: 15_000,
        onStderrLine: (server, line) => stderr.push([server, line]),
        onWarning: (message) => warnings.push(message),
      },
    );
  });
  after(async () => {
    await hub?.close();
    assert.deepEqual(livingProcessesWithArgument(marker), [], 'close() left no server running');
    await temp?.remove();
  });

  it('a call past the server timeoutMs comes back as an error outcome saying it timed out, and the server keeps working', async () => {
    const started = Date.now();
    const outcome = await hub.call('slow__sleep', { ms: 10_000 });
    const elapsed = Date.now() - started;
    assert.deepEqual(outcome, {
      text: 'tool slow__sleep (server "slow") timed out: no answer within 400 ms (the server\'s timeoutMs), so the call was cancelled',
      isError: true,
    });
    assert.ok(elapsed >= 350 && elapsed < 3_000, `returned at the timeout (${elapsed} ms)`);
    assert.equal((await hub.call('slow__echo', { text: 'still here' })).text, 'still here');
    assert.equal((await hub.call('slow__sleep', { ms: 10 })).text, 'slept 10 ms', 'a call within the timeout succeeds');
  });

  it('aborting the signal rejects the call promptly, and the server keeps working', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('the user pressed Ctrl-C')), 100);
    await assert.rejects(
      hub.call('victim__sleep', { ms: 10_000 }, { signal: controller.signal }),
      /the user pressed Ctrl-C/,
    );
    assert.ok(Date.now() - started < 2_000);
    await assert.rejects(
      hub.call('victim__echo', { text: 'x' }, { signal: controller.signal }),
      'an already aborted signal rejects too',
    );
    assert.equal((await hub.call('victim__echo', { text: 'after abort' })).text, 'after abort');
  });

  it('a server killed mid-call (maxRestarts 0) gives an error outcome for that call and, promptly, for the next; the others still work', async () => {
    const pid = Number((await hub.call('victim__pid', {})).text);
    assert.ok(livingMembersOfGroup(pid).includes(pid));
    const inFlight = hub.call('victim__sleep', { ms: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    let started = Date.now();
    process.kill(pid, 'SIGKILL');
    const interrupted = await inFlight;
    assert.ok(Date.now() - started < 3_000, `the in-flight call ended (${Date.now() - started} ms)`);
    assert.equal(interrupted.isError, true);
    assert.equal(
      interrupted.text,
      'tool victim__sleep failed: its MCP server "victim" stopped during the call (the process was killed by SIGKILL); it is not restarted (maxRestarts is 0). The call was not repeated because it may have had effects: check, then call again',
    );

    started = Date.now();
    const next = await hub.call('victim__echo', { text: 'anyone there?' });
    assert.ok(Date.now() - started < 500, 'no hang');
    assert.equal(next.isError, true);
    assert.match(
      next.text,
      /^tool victim__echo cannot run: its MCP server "victim" is not available: stopped while in use: the process was killed by SIGKILL; not restarted \(maxRestarts is 0\)/,
    );

    const status = hub.statuses.find((candidate) => candidate.name === 'victim');
    assert.equal(status?.status, 'failed');
    assert.deepEqual(warnings, [
      'MCP server "victim" stopped while in use: the process was killed by SIGKILL; not restarted (maxRestarts is 0); calls to its tools will fail',
    ]);
    assert.deepEqual(livingMembersOfGroup(pid), []);
    assert.equal((await hub.call('slow__echo', { text: 'unaffected' })).text, 'unaffected');
    assert.equal((await hub.call('fs__list_allowed_directories', {})).isError, false);
  });
});

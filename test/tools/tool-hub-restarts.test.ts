import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ToolHub } from '../../src/tools/tool-hub.js';
import {
  livingProcessesWithArgument,
  newMarker,
  servers,
  tempContext,
  tsxServer,
  type TempContext,
} from '../fixtures/hub-test-support.js';
import { livingMembersOfGroup, waitFor } from '../fixtures/process-helpers.js';

const QUICK_RESTART = { restartDelayMs: () => 20 };

function startsIn(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

describe('ToolHub: servers that stop mid-run are restarted', { concurrency: true }, () => {
  let temp: TempContext;
  before(async () => {
    temp = await tempContext();
  });
  after(async () => {
    await temp.remove();
  });

  it('restarts a killed server: the in-flight call fails without being repeated, the next call waits and runs on the new process', async (t) => {
    const marker = newMarker();
    const startsFile = join(temp.context.workdir, `starts-${t.name.length}-a`);
    const warnings: string[] = [];
    const hub = await ToolHub.start(
      servers({
        flaky: tsxServer('hub-changing-mcp-server.ts', marker, { env: { HUB_FIXTURE_STARTS_FILE: startsFile } }),
      }),
      {
        context: temp.context,
        startupTimeoutMs: 15_000,
        onWarning: (message) => warnings.push(message),
        ...QUICK_RESTART,
      },
    );
    try {
      const firstPid = Number((await hub.call('flaky__pid', {})).text);
      const revisionBefore = hub.revision;
      const inFlight = hub.call('flaky__sleep', { ms: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.kill(firstPid, 'SIGKILL');

      const interrupted = await inFlight;
      assert.equal(interrupted.isError, true);
      assert.match(
        interrupted.text,
        /^tool flaky__sleep failed: its MCP server "flaky" stopped during the call \(the process was killed by SIGKILL\); it is being restarted\. The call was not repeated/,
      );

      const next = await hub.call('flaky__pid', {});
      assert.equal(next.isError, false, next.text);
      const secondPid = Number(next.text);
      assert.notEqual(secondPid, firstPid);
      assert.deepEqual(startsIn(startsFile), [firstPid, secondPid], 'started exactly twice');
      assert.deepEqual(livingMembersOfGroup(firstPid), [], 'the dead server left nothing behind');

      const status = hub.statuses[0];
      assert.equal(status?.status, 'connected');
      assert.equal(status?.restarts, 1);
      assert.equal(status?.error, undefined);
      assert.ok(hub.revision > revisionBefore, 'the restart re-registered its tools');
      assert.deepEqual(
        hub
          .tools()
          .map((tool) => tool.exposedName)
          .sort(),
        ['flaky__add_tool', 'flaky__pid', 'flaky__remove_tool', 'flaky__sleep'],
      );
      assert.equal(warnings.length, 2, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        /^MCP server "flaky" stopped \(the process was killed by SIGKILL\); restarting it in \d+ ms \(attempt 1 of 3\)$/,
      );
      assert.equal(warnings[1], 'MCP server "flaky" restarted; its 4 tools are available again');
    } finally {
      await hub.close();
    }
    assert.deepEqual(livingProcessesWithArgument(marker), []);
  });

  it('gives up after maxRestarts failed attempts in a row: status failed, calls answer at once with why', async (t) => {
    const marker = newMarker();
    const startsFile = join(temp.context.workdir, `starts-${t.name.length}-b`);
    const warnings: string[] = [];
    const hub = await ToolHub.start(
      servers({
        doomed: tsxServer('hub-changing-mcp-server.ts', marker, {
          maxRestarts: 2,
          env: { HUB_FIXTURE_STARTS_FILE: startsFile, HUB_FIXTURE_FAIL_AFTER: '1' },
        }),
      }),
      {
        context: temp.context,
        startupTimeoutMs: 15_000,
        onWarning: (message) => warnings.push(message),
        ...QUICK_RESTART,
      },
    );
    try {
      const pid = Number((await hub.call('doomed__pid', {})).text);
      process.kill(pid, 'SIGKILL');
      assert.ok(
        await waitFor(() => hub.statuses[0]?.status === 'failed', 20_000),
        `gave up (status ${hub.statuses[0]?.status})`,
      );

      assert.equal(startsIn(startsFile).length, 3, 'the first start and two restart attempts');
      assert.equal(warnings.length, 3, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        /^MCP server "doomed" stopped \(the process was killed by SIGKILL\); restarting it in \d+ ms \(attempt 1 of 2\)$/,
      );
      assert.match(
        warnings[1]!,
        /^MCP server "doomed" could not be restarted \(.*hub-changing-mcp-server\.ts.*: the process exited with code 1 before answering the MCP handshake\); trying again in \d+ ms \(attempt 2 of 2\)$/,
      );
      assert.match(
        warnings[2]!,
        /^MCP server "doomed" stopped while in use \(the process was killed by SIGKILL\) and could not be restarted \(.*exited with code 1 before answering the MCP handshake\); gave up after 2 attempts in a row \(maxRestarts\); calls to its tools will fail$/,
      );

      const started = Date.now();
      const outcome = await hub.call('doomed__pid', {});
      assert.ok(Date.now() - started < 1_000, 'no waiting on a server that was given up');
      assert.equal(outcome.isError, true);
      assert.match(
        outcome.text,
        /^tool doomed__pid cannot run: its MCP server "doomed" is not available: stopped while in use \(the process was killed by SIGKILL\) and could not be restarted .*gave up after 2 attempts/,
      );
      assert.equal(hub.statuses[0]?.restarts, 0);
    } finally {
      await hub.close();
    }
    assert.deepEqual(livingProcessesWithArgument(marker), []);
  });

  it('picks up tools added and removed at run time (notifications/tools/list_changed)', async () => {
    const marker = newMarker();
    const hub = await ToolHub.start(servers({ live: tsxServer('hub-changing-mcp-server.ts', marker) }), {
      context: temp.context,
      startupTimeoutMs: 15_000,
    });
    try {
      assert.equal(hub.tool('live__fresh'), undefined);
      const revision = hub.revision;
      assert.equal((await hub.call('live__add_tool', { name: 'fresh' })).text, 'added fresh');
      assert.notEqual(
        hub.tool('live__fresh'),
        undefined,
        'the call that added a tool returns after the new list is in',
      );
      assert.ok(hub.revision > revision);
      assert.equal(hub.tool('live__fresh')?.description, 'Added at run time: fresh');
      assert.deepEqual(await hub.call('live__fresh', {}), {
        text: 'fresh works',
        isError: false,
        structuredContent: undefined,
      });
      assert.ok(
        hub
          .toolsFor({ mcpServers: ['live'], tools: [], deniedTools: [] })
          .some((tool) => tool.exposedName === 'live__fresh'),
      );

      await hub.call('live__remove_tool', { name: 'fresh' });
      assert.equal(hub.tool('live__fresh'), undefined, 'the removed tool is gone');
      assert.equal((await hub.call('live__fresh', {})).text, 'unknown tool "live__fresh"');
      assert.equal(hub.statuses[0]?.tools, 4);
    } finally {
      await hub.close();
    }
  });
});

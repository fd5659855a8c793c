import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MuxSwarmError } from '../../src/errors/mux-swarm-error.js';
import { ProcessGroupStdioTransport } from '../../src/tools/process-group-stdio-transport.js';
import { TSX_LOADER, fixturePath, livingMembersOfGroup, waitFor } from '../fixtures/process-helpers.js';

const SERVER_SCRIPT = fixturePath('echo-mcp-server.ts');

function firstText(result: CallToolResult): string {
  const part = result.content[0];
  return part?.type === 'text' ? part.text : '';
}

async function connect(transport: ProcessGroupStdioTransport): Promise<Client> {
  const client = new Client({ name: 'transport-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

describe('ProcessGroupStdioTransport', { concurrency: true }, () => {
  it('connects a client to a stdio server, lists and calls tools, and close() leaves no process', async () => {
    const stderrLines: string[] = [];
    const transport = new ProcessGroupStdioTransport({
      command: process.execPath,
      args: ['--import', TSX_LOADER, SERVER_SCRIPT],
      env: { GIVEN_TOKEN: 'from-config' },
      onStderrLine: (line) => stderrLines.push(line),
    });
    process.env.FAKE_SECRET = 'sk-should-not-leak';
    const client = await connect(transport);
    const pid = transport.pid as number;
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name).sort(), ['echo', 'read_environment']);
      const echoed = (await client.callTool({ name: 'echo', arguments: { text: 'hello there' } })) as CallToolResult;
      assert.equal(firstText(echoed), 'hello there');

      const readVariable = async (name: string): Promise<string> =>
        firstText((await client.callTool({ name: 'read_environment', arguments: { name } })) as CallToolResult);
      assert.equal(await readVariable('GIVEN_TOKEN'), 'from-config');
      assert.equal(await readVariable('FAKE_SECRET'), '(unset)', 'our environment does not leak to the server');
      assert.equal(await readVariable('PATH'), process.env.PATH);

      assert.ok(await waitFor(() => stderrLines.some((line) => line.startsWith('fixture-echo ready'))));
      assert.ok(transport.stderrTail().includes(`fixture-echo ready pid=${pid}`));
    } finally {
      delete process.env.FAKE_SECRET;
    }
    assert.ok(livingMembersOfGroup(pid).includes(pid));
    await client.close();
    assert.deepEqual(livingMembersOfGroup(pid), [], 'close() resolved with the whole group gone');
  });

  it('runs a server in the sandbox when its entry asks: its own PID namespace, no $HOME, and close() still ends it', async () => {
    const stderrLines: string[] = [];
    const home = mkdtempSync(join(tmpdir(), 'mux-swarm-stdio-home-'));
    const workdir = mkdtempSync(join(tmpdir(), 'mux-swarm-stdio-work-'));
    const transport = new ProcessGroupStdioTransport({
      command: process.execPath,
      args: ['--import', TSX_LOADER, SERVER_SCRIPT],
      env: { HOME: home },
      cwd: workdir,
      onStderrLine: (line) => stderrLines.push(line),
      sandbox: {
        backend: 'bwrap',
        network: 'none',
        workdir,
        readOnly: [],
        writable: [],
        home,
        environment: { ...process.env, HOME: home },
      },
    });
    const client = await connect(transport);
    const pid = transport.pid as number;
    try {
      const echoed = (await client.callTool({
        name: 'echo',
        arguments: { text: 'from the sandbox' },
      })) as CallToolResult;
      assert.equal(firstText(echoed), 'from the sandbox');
      assert.ok(await waitFor(() => stderrLines.some((line) => line.startsWith('fixture-echo ready'))));
      const insidePid = Number(
        /pid=(\d+)/.exec(stderrLines.find((line) => line.startsWith('fixture-echo ready'))!)![1],
      );
      assert.ok(
        insidePid < 10 && insidePid !== pid,
        `the server sees its own PID namespace (pid ${insidePid} inside, ${pid} outside)`,
      );
    } finally {
      await client.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(workdir, { recursive: true, force: true });
    }
    assert.deepEqual(livingMembersOfGroup(pid), [], 'close() ended the sandboxed group');
  });

  it('close() during start-up wins: start rejects and no server process is left', async () => {
    // With a cwd, close() lands while the directory is checked; without, while the child is spawning.
    for (const cwd of [process.cwd(), undefined]) {
      const transport = new ProcessGroupStdioTransport({ command: 'sleep', args: ['30'], cwd });
      const starting = transport.start();
      const closing = transport.close();
      await assert.rejects(starting, /MCP server "sleep" was closed before it had started\./);
      await closing;
      assert.equal(transport.pid === undefined, cwd !== undefined, 'spawned only when close() came during the spawn');
      if (transport.pid !== undefined)
        assert.deepEqual(livingMembersOfGroup(transport.pid), [], 'the spawned group was killed');
    }
  });

  it('kills a server started through a shell wrapper, leaving no orphan', async () => {
    // "; exit $?" keeps sh from exec-ing node: the server is sh's child, as with npx or uvx. --linger: the
    // server ignores the end of its stdin, so only signals to the group can stop it.
    const transport = new ProcessGroupStdioTransport({
      command: 'sh',
      args: ['-c', `"${process.execPath}" --import "${TSX_LOADER}" "${SERVER_SCRIPT}" --linger; exit $?`],
      closeGraceMs: 5_000,
    });
    const client = await connect(transport);
    const pid = transport.pid as number;
    const echoed = (await client.callTool({ name: 'echo', arguments: { text: 'wrapped' } })) as CallToolResult;
    assert.equal(firstText(echoed), 'wrapped');
    const members = livingMembersOfGroup(pid);
    assert.ok(members.length >= 2, `sh and node both run in the group (${members.join(', ')})`);
    const started = Date.now();
    await transport.close();
    assert.deepEqual(livingMembersOfGroup(pid), [], 'neither sh nor the node server it started runs');
    assert.ok(Date.now() - started < 2_000, 'SIGTERM to the group sufficed; no wait for the grace period');
  });

  it('fires onclose when the server dies by itself, and reports how', async () => {
    const transport = new ProcessGroupStdioTransport({
      command: process.execPath,
      args: ['--import', TSX_LOADER, SERVER_SCRIPT],
    });
    const client = await connect(transport);
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    const closed = new Promise<void>((resolve) => (client.onclose = resolve));
    const pid = transport.pid as number;
    process.kill(pid, 'SIGKILL');
    await closed;
    assert.ok(
      errors.some((error) => /was killed by SIGKILL/.test(error.message)),
      errors.map(String).join('; '),
    );
    await assert.rejects(client.listTools(), 'requests fail once the server is gone');
    assert.deepEqual(livingMembersOfGroup(pid), []);
  });

  it('fails with a clear error when the command does not exist', async () => {
    const transport = new ProcessGroupStdioTransport({ command: 'mux-swarm-no-such-server', args: ['--stdio'] });
    const client = new Client({ name: 'transport-test', version: '0.0.0' });
    await assert.rejects(client.connect(transport), (error: unknown) => {
      assert.ok(error instanceof MuxSwarmError);
      assert.equal(error.code, 'mcp-server-command-not-found');
      assert.match(error.message, /"mux-swarm-no-such-server" was not found/);
      assert.match(error.message, /installed and on the PATH/);
      return true;
    });
    assert.equal(transport.pid, undefined);
    await transport.close(); // safe after a failed start
  });

  it('fails with a clear error when the working directory does not exist', async () => {
    const transport = new ProcessGroupStdioTransport({ command: 'true', cwd: '/nonexistent/mux-swarm' });
    await assert.rejects(transport.start(), {
      code: 'mcp-server-cwd-missing',
      message: /\/nonexistent\/mux-swarm does not exist/,
    });
  });

  it('keeps only the last 50 stderr lines, in order', async () => {
    const transport = new ProcessGroupStdioTransport({
      command: 'sh',
      args: ['-c', 'i=1; while [ $i -le 80 ]; do echo "line $i" >&2; i=$((i+1)); done; printf "no newline" >&2'],
    });
    const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
    transport.onerror = () => {};
    await transport.start();
    await closed;
    const tail = transport.stderrTail();
    assert.equal(tail.length, 50);
    assert.equal(tail[0], 'line 32');
    assert.equal(tail.at(-1), 'no newline');
  });
});

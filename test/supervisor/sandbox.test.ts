import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createShellServer } from '../../src/servers/shell/shell-server.js';
import { createPythonServer } from '../../src/servers/python/python-server.js';
import { confine, gpuDevices } from '../../src/supervisor/sandbox/sandbox.js';
import { probeSandbox } from '../../src/supervisor/sandbox/sandbox-probe.js';
import { createLimitGroup } from '../../src/supervisor/sandbox/cgroup-limits.js';
import { toolDirectoriesInHome, type SandboxRequest } from '../../src/supervisor/sandbox/sandbox-request.js';

const PLANTED = 'PLANTED-ssh-key-0f3a9c';
const PARENT_SECRET = 'parent-only-secret-7c1e55';

/**
 * The escape corpus through the real shell and python servers with the sandbox on (bubblewrap, as `.ci/run`
 * installs it): each attempt is refused, and what may happen — writing the workdir — still does.
 */
describe('the sandbox (bubblewrap) around shell commands and Python', () => {
  let root: string;
  let home: string;
  let workdir: string;
  let stateDirectory: string;
  let otherWorkdir: string;
  let listener: Server;
  let port: number;
  const clients: Client[] = [];

  before(async () => {
    assert.ok((await probeSandbox()).usable, 'bubblewrap works on this machine (.ci/run installs it)');
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'mux-swarm-sandbox-')));
    home = path.join(root, 'home');
    workdir = path.join(root, 'work');
    stateDirectory = path.join(workdir, '.mux-swarm');
    otherWorkdir = path.join(root, 'other-work');
    for (const directory of [path.join(home, '.ssh'), stateDirectory, otherWorkdir])
      mkdirSync(directory, { recursive: true });
    writeFileSync(path.join(home, '.ssh', 'id_rsa'), PLANTED);
    writeFileSync(path.join(otherWorkdir, 'notes.txt'), PLANTED);
    writeFileSync(path.join(stateDirectory, 'state.db'), 'the run journal');
    process.env.MUX_SWARM_TEST_PARENT_SECRET = PARENT_SECRET;
    listener = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    listener.close();
    delete process.env.MUX_SWARM_TEST_PARENT_SECRET;
    rmSync(root, { recursive: true, force: true });
  });

  function request(network: 'none' | 'host' = 'none'): SandboxRequest {
    return {
      backend: 'bwrap',
      network,
      workdir,
      stateDirectory,
      readOnly: [],
      writable: [],
      home,
      environment: { ...process.env, HOME: home },
    };
  }

  async function shell(
    network: 'none' | 'host' = 'none',
  ): Promise<(command: string) => Promise<{ text: string; isError: boolean }>> {
    const server = createShellServer({
      workdir,
      timeoutMs: 20_000,
      maxOutputChars: 20_000,
      passEnv: [],
      spillDir: path.join(stateDirectory, 'spill'),
      maxJobs: 4,
      environment: { ...process.env, HOME: home },
      confinement: request(network),
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'sandbox-test', version: '0.0.0' });
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
    clients.push(client);
    return async (command) => {
      const result = (await client.callTool({ name: 'run_command', arguments: { command } })) as CallToolResult;
      return {
        text: result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n'),
        isError: result.isError === true,
      };
    };
  }

  it('hides $HOME (a planted ~/.ssh/id_rsa) and other workdirs', async () => {
    const run = await shell();
    const home_ = await run(`cat ${home}/.ssh/id_rsa`);
    assert.ok(home_.isError && !home_.text.includes(PLANTED), home_.text);
    const other = await run(`cat ${otherWorkdir}/notes.txt`);
    assert.ok(other.isError && !other.text.includes(PLANTED), other.text);
  });

  it('shows no other process: neither mux-swarm nor its environment; mux-swarm cannot be signalled', async () => {
    const run = await shell();
    const environ = await run('cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"; ps ax');
    assert.ok(!environ.text.includes(PARENT_SECRET), "the parent's environment is out of reach");
    assert.doesNotMatch(environ.text, new RegExp(`^\\s*${process.pid}\\s`, 'm'));
    const signalled = await run(`kill -0 ${process.pid}`);
    assert.ok(signalled.isError, signalled.text);
  });

  it('writes the workdir, and nothing outside it: not /etc, not another directory, not through /proc/self/root, not the state directory', async () => {
    const run = await shell();
    const inside = await run('echo made > made.txt');
    assert.equal(inside.isError, false, inside.text);
    assert.equal(readFileSync(path.join(workdir, 'made.txt'), 'utf8'), 'made\n');
    await run(
      `touch /etc/mux-swarm-escape; echo x > ${otherWorkdir}/escape.txt; echo x > /proc/self/root${otherWorkdir}/escape2.txt; ln -s ${otherWorkdir} link && echo x > link/escape3.txt`,
    );
    for (const escaped of [
      '/etc/mux-swarm-escape',
      path.join(otherWorkdir, 'escape.txt'),
      path.join(otherWorkdir, 'escape2.txt'),
      path.join(otherWorkdir, 'escape3.txt'),
    ]) {
      assert.equal(existsSync(escaped), false, `${escaped} was written`);
    }
    const journal = await run('echo tampered > .mux-swarm/state.db');
    assert.ok(journal.isError, journal.text);
    assert.equal(readFileSync(path.join(stateDirectory, 'state.db'), 'utf8'), 'the run journal');
  });

  it('has no network with network "none" (not even the host\'s loopback), and the host\'s with "host"', async () => {
    const connect = `python3 -c "import socket; s = socket.create_connection(('127.0.0.1', ${port}), timeout=3); print(s.recv(100).decode())"`;
    const none = await (await shell('none'))(connect);
    assert.ok(none.isError && !none.text.includes('hello from the host'), none.text);
    const host = await (await shell('host'))(connect);
    assert.ok(!host.isError && host.text.includes('hello from the host'), host.text);
  });

  it('with an allow-list, reaches the allowed host:port through the egress proxy and nothing else', async () => {
    const answer = (name: string) => createHttpServer((_request, response) => response.end(`hello from ${name}\n`));
    const [allowed, other] = [answer('allowed'), answer('other')];
    await Promise.all(
      [allowed, other].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))),
    );
    const [allowedPort, otherPort] = [allowed, other].map((server) => (server.address() as { port: number }).port);
    try {
      const server = createShellServer({
        workdir,
        timeoutMs: 20_000,
        maxOutputChars: 20_000,
        passEnv: [],
        spillDir: path.join(stateDirectory, 'spill'),
        maxJobs: 4,
        environment: { ...process.env, HOME: home },
        confinement: { ...request(), network: { allow: [`127.0.0.1:${allowedPort}`] } },
      });
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: 'sandbox-egress-test', version: '0.0.0' });
      await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
      clients.push(client);
      const run = async (command: string) => {
        const result = (await client.callTool({ name: 'run_command', arguments: { command } })) as CallToolResult;
        return {
          text: result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n'),
          isError: result.isError === true,
        };
      };
      const fetch = (port: number) =>
        `python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:${port}/', timeout=5).read().decode())"`;
      const reached = await run(fetch(allowedPort!));
      assert.ok(!reached.isError && reached.text.includes('hello from allowed'), reached.text);
      const refused = await run(fetch(otherPort!));
      assert.ok(
        refused.isError && !refused.text.includes('hello from other') && /403/.test(refused.text),
        refused.text,
      );
      const tunnel = `python3 -c "import http.client; c = http.client.HTTPConnection('127.0.0.1', ${3128}); c.set_tunnel('127.0.0.1', PORT); c.request('GET', '/'); print(c.getresponse().read().decode())"`;
      const tunnelled = await run(tunnel.replace('PORT', String(allowedPort)));
      assert.ok(!tunnelled.isError && tunnelled.text.includes('hello from allowed'), tunnelled.text);
      const refusedTunnel = await run(tunnel.replace('PORT', String(otherPort)));
      assert.ok(refusedTunnel.isError && /403/.test(refusedTunnel.text), refusedTunnel.text);
      const direct = await run(
        `python3 -c "import socket; socket.create_connection(('127.0.0.1', ${allowedPort}), timeout=3)"`,
      );
      assert.ok(direct.isError, 'around the proxy there is no network');
    } finally {
      allowed.close();
      other.close();
    }
  });

  it('runs python scripts in the same sandbox', async () => {
    const server = createPythonServer({
      workdir,
      spillDir: path.join(stateDirectory, 'spill'),
      interpreter: 'python3',
      timeoutMs: 20_000,
      maxOutputChars: 20_000,
      passEnv: [],
      env: {},
      maxJobs: 2,
      environment: { ...process.env, HOME: home },
      confinement: request(),
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'sandbox-python-test', version: '0.0.0' });
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
    clients.push(client);
    const result = (await client.callTool({
      name: 'run_python',
      arguments: {
        code: `import os\nprint(os.path.exists(${JSON.stringify(path.join(home, '.ssh', 'id_rsa'))}), os.getpid())`,
      },
    })) as CallToolResult;
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    assert.match(text, /False \d+/, text);
  });

  it('keeps a background job detached: it runs confined, ends by itself, and its exit status comes through', async () => {
    const server = createShellServer({
      workdir,
      timeoutMs: 20_000,
      maxOutputChars: 20_000,
      passEnv: [],
      spillDir: path.join(stateDirectory, 'spill'),
      maxJobs: 4,
      environment: { ...process.env, HOME: home },
      confinement: request(),
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'sandbox-job-test', version: '0.0.0' });
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
    clients.push(client);
    const started = (await client.callTool({
      name: 'start_job',
      arguments: { command: `test -e ${home}/.ssh/id_rsa; echo seen=$?; exit 3` },
    })) as CallToolResult;
    const jobId = (started.structuredContent as { job_id: string }).job_id;
    const waited = (await client.callTool({
      name: 'wait_job',
      arguments: { job_id: jobId, timeout_ms: 15_000 },
    })) as CallToolResult;
    const structured = waited.structuredContent as { state: string; exit_code: number | null; output: string };
    assert.equal(structured.state, 'exited');
    assert.equal(structured.exit_code, 3);
    assert.match(structured.output, /seen=1/, 'the job did not see the home directory');
  });

  it('ends a fork bomb at its process limit and a memory hog at its memory limit, each named as such', async () => {
    // Never start the bomb where its limit cannot hold.
    const probe = createLimitGroup({ processes: 1 });
    assert.ok(
      !('unavailable' in probe),
      `control groups can be made here (${'unavailable' in probe ? probe.unavailable : ''})`,
    );
    probe.remove();
    const limited = createShellServer({
      workdir,
      timeoutMs: 20_000,
      maxOutputChars: 20_000,
      passEnv: [],
      spillDir: path.join(stateDirectory, 'spill'),
      maxJobs: 4,
      environment: { ...process.env, HOME: home },
      confinement: { ...request(), limits: { processes: 64, memoryBytes: 128 * 1024 * 1024 } },
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'sandbox-limits-test', version: '0.0.0' });
    await Promise.all([limited.connect(serverTransport), client.connect(clientTransport)]);
    clients.push(client);
    const bomb = (await client.callTool({
      name: 'run_command',
      arguments: { command: 'bomb() { bomb | bomb & }; bomb; wait' },
    })) as CallToolResult;
    const bombed = bomb.structuredContent as { limit?: string; timed_out: boolean };
    assert.equal(bombed.limit, 'pids', JSON.stringify(bomb.content));
    assert.equal(bombed.timed_out, false, 'it ended on its limit, not on the timeout');
    assert.equal(bomb.isError, true);
    const hog = (await client.callTool({
      name: 'run_command',
      arguments: {
        command: 'python3 -c "x = bytearray(512 * 1024 * 1024); x[::4096] = b\'1\' * len(x[::4096]); print(len(x))"',
      },
    })) as CallToolResult;
    const hogged = hog.structuredContent as { limit?: string; stdout: string };
    assert.equal(hogged.limit, 'memory', JSON.stringify(hog.content));
    assert.equal(hogged.stdout, '', 'it never got its memory');
  });

  it('binds outer paths before inner ones, so a read-only parent (a venv under $HOME) leaves the workdir writable', async () => {
    const { args } = confine(
      { writable: [workdir], readOnly: [root, stateDirectory], hidden: [home], network: 'none' },
      'true',
      [],
      undefined,
    );
    const at = (option: string, target: string) =>
      args.findIndex((arg, index) => arg === option && args[index + 1] === target);
    assert.ok(
      at('--ro-bind', root) < at('--bind', workdir) && at('--bind', workdir) < at('--ro-bind', stateDirectory),
      args.join(' '),
    );
    const run = await shell();
    const inside = await run('echo still > still.txt && cat still.txt');
    assert.equal(inside.isError, false, inside.text);
  });

  it('keeps the programs on PATH that live in $HOME (pyenv, conda, ~/.local/bin) usable, and nothing else of $HOME', async () => {
    assert.deepEqual(
      toolDirectoriesInHome(
        '/home/u',
        '/home/u/.pyenv/shims:/home/u/.local/bin:/home/u/miniconda3/bin:/usr/bin:/home/u/bin',
      ),
      ['/home/u/.pyenv', '/home/u/.local/bin', '/home/u/.local/lib', '/home/u/miniconda3', '/home/u/bin'],
    );
    const tool = path.join(home, '.tool', 'bin');
    mkdirSync(tool, { recursive: true });
    writeFileSync(path.join(tool, 'home-tool'), '#!/bin/sh\necho home tool ran\n', { mode: 0o755 });
    const environment = { ...process.env, HOME: home, PATH: `${tool}:${process.env.PATH}` };
    const server = createShellServer({
      workdir,
      timeoutMs: 20_000,
      maxOutputChars: 20_000,
      passEnv: [],
      spillDir: path.join(stateDirectory, 'spill'),
      maxJobs: 4,
      environment,
      confinement: { ...request(), environment },
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'sandbox-path-test', version: '0.0.0' });
    await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
    clients.push(client);
    const result = (await client.callTool({
      name: 'run_command',
      arguments: { command: `home-tool; cat ${home}/.ssh/id_rsa` },
    })) as CallToolResult;
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    assert.match(text, /home tool ran/);
    assert.ok(!text.includes(PLANTED), text);
  });

  it('binds each GPU device node in', () => {
    const devices = mkdtempSync(path.join(tmpdir(), 'mux-swarm-dev-'));
    try {
      for (const name of [
        'nvidia0',
        'nvidiactl',
        'nvidia-uvm',
        'nvidia-uvm-tools',
        'nvidia-modeset',
        'dri',
        'kfd',
        'sda',
      ])
        writeFileSync(path.join(devices, name), '');
      const found = gpuDevices(devices);
      assert.deepEqual(
        found.map((device) => path.basename(device)),
        ['dri', 'kfd', 'nvidia-modeset', 'nvidia-uvm', 'nvidia-uvm-tools', 'nvidia0', 'nvidiactl'],
      );
      const { args } = confine({ writable: [], readOnly: [], hidden: [], network: 'none' }, 'true', [], undefined);
      for (const device of gpuDevices()) assert.ok(args.join(' ').includes(`--dev-bind ${device} ${device}`));
    } finally {
      rmSync(devices, { recursive: true, force: true });
    }
  });
});

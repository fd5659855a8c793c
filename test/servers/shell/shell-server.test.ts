import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createShellServer, type ShellServerOptions } from '../../../src/servers/shell/shell-server.js';
import { livingMembersOfGroup, waitFor, waitUntilGroupGone } from '../../fixtures/process-helpers.js';

let root: string;
let workdir: string;
let spillDir: string;
const clients: Client[] = [];

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mux-swarm-shell-'));
  workdir = path.join(root, 'work');
  spillDir = path.join(root, 'state', 'spill');
  await mkdir(path.join(workdir, 'sub'), { recursive: true });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await rm(root, { recursive: true, force: true });
});

async function connect(overrides: Partial<ShellServerOptions> = {}): Promise<Client> {
  const server = createShellServer({
    workdir,
    timeoutMs: 10_000,
    maxOutputChars: 10_000,
    passEnv: [],
    spillDir,
    ...overrides,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'shell-test', version: '0.0.0' });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  clients.push(client);
  return client;
}

interface Structured {
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  cancelled: boolean;
  duration_ms: number;
  stdout: string;
  stderr: string;
  output_truncated: boolean;
  stdout_file?: string;
  stderr_file?: string;
  background_processes_stopped: boolean;
}

async function run(
  client: Client,
  args: Record<string, unknown>,
): Promise<{ result: CallToolResult; text: string; structured: Structured }> {
  const result = (await client.callTool({ name: 'run_command', arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  return { result, text, structured: result.structuredContent as unknown as Structured };
}

describe('shell server run_command', () => {
  it('lists run_command with an output schema', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const tool = tools.find((candidate) => candidate.name === 'run_command');
    assert.ok(tool?.outputSchema?.properties?.exit_code, 'structured output is declared');
  });

  it('returns stdout, stderr and exit code 0 of a shell line run in the workdir', async () => {
    const client = await connect();
    const { result, text, structured } = await run(client, { command: 'echo hello; pwd; echo warn >&2' });
    assert.notEqual(result.isError, true);
    assert.equal(structured.exit_code, 0);
    assert.equal(structured.stdout, `hello\n${await realWorkdir()}\n`);
    assert.equal(structured.stderr, 'warn\n');
    assert.equal(structured.timed_out, false);
    assert.match(text, /exit code 0/);
    assert.match(text, /--- stdout ---\nhello/);
  });

  it('reports a non-zero exit as an error result that still carries the output', async () => {
    const client = await connect();
    const { result, text, structured } = await run(client, { command: 'echo partial; echo broken >&2; exit 3' });
    assert.equal(result.isError, true);
    assert.equal(structured.exit_code, 3);
    assert.equal(structured.stdout, 'partial\n');
    assert.equal(structured.stderr, 'broken\n');
    assert.match(text, /failed: exit code 3/);
  });

  it('passes argv elements unchanged, spaces included, without a shell', async () => {
    const client = await connect();
    const { structured } = await run(client, { argv: ['printf', '[%s]\\n', 'a b', 'c  d', '$HOME;x'] });
    assert.equal(structured.exit_code, 0);
    assert.equal(structured.stdout, '[a b]\n[c  d]\n[$HOME;x]\n');
  });

  it('gives stdin to the command', async () => {
    const client = await connect();
    const { structured } = await run(client, { argv: ['cat'], stdin: 'line one\nline two\n' });
    assert.equal(structured.stdout, 'line one\nline two\n');
  });

  it('refuses both or neither of command and argv, and an unknown program', async () => {
    const client = await connect();
    for (const args of [{}, { command: 'true', argv: ['true'] }]) {
      const { result, text } = await run(client, args);
      assert.equal(result.isError, true);
      assert.match(text, /exactly one of "command".*or "argv"/);
    }
    const { result, text } = await run(client, { argv: ['mux-swarm-no-such-program'] });
    assert.equal(result.isError, true);
    assert.match(text, /"mux-swarm-no-such-program" was not found/);
  });

  it('kills the whole process tree at the timeout and returns promptly', async () => {
    const client = await connect({ timeoutMs: 400 });
    const started = Date.now();
    // A larger timeout_ms is capped by the server's 400 ms.
    const { result, text, structured } = await run(client, {
      command: 'echo $$; sleep 60 & sleep 60',
      timeout_ms: 60_000,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 3_000, `returned after ${elapsed} ms`);
    assert.equal(result.isError, true);
    assert.equal(structured.timed_out, true);
    assert.equal(structured.exit_code, null);
    assert.equal(structured.signal, 'SIGTERM');
    assert.match(text, /timed out after 400 ms/);
    const processGroupId = Number(structured.stdout.trim());
    assert.ok(processGroupId > 1);
    assert.deepEqual(livingMembersOfGroup(processGroupId), [], 'no process of the group is left');
  });

  it('kills the process tree when the client cancels the call', async () => {
    const client = await connect();
    const pidFile = path.join(workdir, 'cancelled.pid');
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'run_command', arguments: { command: `echo $$ > ${pidFile}; sleep 60 & sleep 60` } },
      undefined,
      {
        signal: controller.signal,
      },
    );
    const rejected = assert.rejects(call);
    assert.ok(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')));
    const processGroupId = Number(readFileSync(pidFile, 'utf8').trim());
    assert.ok(livingMembersOfGroup(processGroupId).length >= 2, 'the shell and its sleeps run before the cancel');
    controller.abort();
    await rejected;
    assert.deepEqual(await waitUntilGroupGone(processGroupId, 3_000), []);
  });

  it('does not wait on a background process holding the pipes, and stops it', async () => {
    const client = await connect();
    const started = Date.now();
    const { result, text, structured } = await run(client, { command: 'echo $$; sleep 60 & echo started' });
    assert.ok(Date.now() - started < 3_000);
    assert.notEqual(result.isError, true, 'the command itself succeeded');
    assert.equal(structured.background_processes_stopped, true);
    assert.match(text, /left running in the background were stopped/);
    const processGroupId = Number(structured.stdout.split('\n')[0]);
    assert.deepEqual(livingMembersOfGroup(processGroupId), []);
  });

  it('cuts long output to head and tail, and spills the full stdout and stderr to files', async () => {
    const client = await connect({ maxOutputChars: 1_000 });
    const { result, text, structured } = await run(client, { command: 'seq 1 20000; seq 1 500 >&2' });
    assert.notEqual(result.isError, true);
    assert.equal(structured.output_truncated, true);
    const fullStdout = Array.from({ length: 20_000 }, (_, index) => `${index + 1}\n`).join('');
    const fullStderr = Array.from({ length: 500 }, (_, index) => `${index + 1}\n`).join('');
    assert.ok(structured.stdout.startsWith('1\n2\n3\n'), 'head kept');
    assert.ok(structured.stdout.endsWith('19999\n20000\n'), 'tail kept');
    assert.match(structured.stdout, /characters of stdout cut; full stdout in /);
    assert.ok(structured.stdout.length + structured.stderr.length < 1_400, 'returned text stays near the limit');
    assert.ok(structured.stdout_file?.startsWith(spillDir) && structured.stderr_file?.startsWith(spillDir));
    assert.equal(await readFile(structured.stdout_file as string, 'utf8'), fullStdout);
    assert.equal(await readFile(structured.stderr_file as string, 'utf8'), fullStderr);
    assert.ok(text.includes(structured.stdout_file as string), 'the text names the spill file');
  });

  it('returns output under the limit whole, with no spill files', async () => {
    const client = await connect({ maxOutputChars: 1_000 });
    const { structured } = await run(client, { command: 'seq 1 100' });
    assert.equal(structured.output_truncated, false);
    assert.equal(structured.stdout_file, undefined);
    assert.equal(structured.stdout.split('\n').length, 101);
  });

  it('runs in a cwd inside the workdir and refuses one that leaves it, symbolic links included', async () => {
    const client = await connect();
    const inside = await run(client, { argv: ['pwd'], cwd: 'sub' });
    assert.equal(inside.structured.stdout, `${await realWorkdir()}/sub\n`);

    await symlink(root, path.join(workdir, 'escape'));
    for (const cwd of ['..', '/', 'sub/../..', 'escape']) {
      const { result, text } = await run(client, { command: 'pwd', cwd });
      assert.equal(result.isError, true, `cwd ${cwd} refused`);
      assert.match(text, /outside the workdir/);
      assert.equal(result.structuredContent, undefined, 'nothing ran');
    }
    const missing = await run(client, { command: 'pwd', cwd: 'nope' });
    assert.match(missing.text, /does not exist/);
  });

  it('refuses programs outside allowedCommands, naming the allowed ones', async () => {
    const client = await connect({ allowedCommands: ['ls', 'grep', '/usr/bin/seq'] });
    const allowed = await run(client, { command: 'cd sub && echo hi | grep h && seq 1 2' });
    assert.equal(allowed.structured.exit_code, 0);
    assert.equal(allowed.structured.stdout, 'hi\n1\n2\n');

    for (const args of [
      { command: 'ls && rm -rf sub' },
      { command: 'echo $(touch owned)' },
      { argv: ['rm', '-rf', 'sub'] },
    ]) {
      const { result, text } = await run(client, args);
      assert.equal(result.isError, true);
      assert.match(text, /Not allowed by the shell server's allowedCommands: "(rm|touch)"/);
      assert.match(text, /Allowed programs: ls, grep, \/usr\/bin\/seq/);
    }
    const built = await run(client, { command: 'tool=rm; $tool -rf sub' });
    assert.equal(built.result.isError, true);
    assert.match(built.text, /cannot be checked/);
    const elsewhere = await run(client, { argv: ['/tmp/ls'] });
    assert.equal(elsewhere.result.isError, true, 'a bare name does not allow a program of that name elsewhere');
  });

  it('gives commands only the minimal environment plus passEnv', async () => {
    process.env.FAKE_SECRET = 'sk-should-not-leak';
    try {
      const closed = await connect();
      const hidden = await run(closed, { command: 'echo "[$FAKE_SECRET]"; env' });
      assert.equal(hidden.structured.stdout.split('\n')[0], '[]');
      assert.ok(!hidden.structured.stdout.includes('sk-should-not-leak'));
      assert.match(hidden.structured.stdout, /^PATH=/m);

      const passing = await connect({ passEnv: ['FAKE_SECRET'] });
      const shown = await run(passing, { command: 'echo "[$FAKE_SECRET]"' });
      assert.equal(shown.structured.stdout, '[sk-should-not-leak]\n');
    } finally {
      delete process.env.FAKE_SECRET;
    }
  });
});

function realWorkdir(): Promise<string> {
  return realpath(workdir);
}

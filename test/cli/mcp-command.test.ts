import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { newMarker, tsxServer } from '../fixtures/hub-test-support.js';
import { livingMembersOfGroup, waitUntilGroupGone } from '../fixtures/process-helpers.js';
import { outcomeOf } from '../support/mcp-test-client.js';
import { createProjectFixture, fakeAgent, type ProjectFixture } from '../support/project-fixture.js';
import { CLI, runCli } from '../support/run-cli.js';

describe('mux-swarm mcp', () => {
  let project: ProjectFixture;
  const marker = newMarker();

  before(() => {
    project = createProjectFixture('mux-swarm-mcp-');
    project.write('config.json', {
      providers: { fake: { baseURL: 'http://127.0.0.1:9/v1' } },
      mcpServers: {
        fs: { builtin: 'filesystem' },
        shell: { builtin: 'shell', options: { timeoutMs: 20_000 } },
        echo: tsxServer('hub-paged-mcp-server.ts', marker),
        flaky: { command: 'sh', args: ['-c', 'echo "cannot start: no token" >&2; exit 3'], optional: true },
        off: { builtin: 'memory', enabled: false },
      },
    });
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { tools: ['fs__read_*'] }),
      agents: [fakeAgent('code', { mcpServers: ['fs', 'shell'], deniedTools: ['fs__move_file'] })],
    });
    project.write('notes.txt', 'first\nsecond\n');
  });
  after(() => project.remove());

  describe('list', () => {
    it('shows each server with its state and transport, its tools, and which agents get each', async () => {
      const result = await runCli(['mcp', 'list'], { cwd: project.directory });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n');
      assert.match(
        lines.find((line) => line.startsWith('fs '))!,
        /^fs\s+connected\s+in-process\s+14\s*$/,
      );
      assert.match(
        lines.find((line) => line.startsWith('echo '))!,
        /^echo\s+connected\s+stdio\s+9\s*$/,
      );
      assert.match(
        lines.find((line) => line.startsWith('flaky '))!,
        /^flaky\s+failed\s+—\s+0\s+MCP server "flaky" did not start: .*exited with code 3/,
      );
      assert.match(
        lines.find((line) => line.startsWith('off '))!,
        /^off\s+disabled\s+—\s+0/,
      );
      assert.match(
        lines.find((line) => line.startsWith('fs__read_text_file '))!,
        /^fs__read_text_file\s+orchestrator, code\s+Read/,
      );
      assert.match(
        lines.find((line) => line.startsWith('fs__write_file '))!,
        /^fs__write_file\s+code\s+/,
      );
      assert.match(
        lines.find((line) => line.startsWith('fs__move_file '))!,
        /^fs__move_file\s+—\s+/,
        'denied to code, not granted to the orchestrator',
      );
      assert.match(
        lines.find((line) => line.startsWith('echo__echo '))!,
        /^echo__echo\s+—\s+Returns its text/,
      );
    });

    it('--json gives every server with its tools and their agents', async () => {
      const result = await runCli(['mcp', 'list', '--json'], { cwd: project.directory });
      assert.equal(result.code, 0, result.stderr);
      const listed = JSON.parse(result.stdout) as {
        servers: Array<{
          name: string;
          status: string;
          optional: boolean;
          error?: string;
          tools: Array<{ name: string; exposedName: string; agents: string[] }>;
        }>;
      };
      assert.deepEqual(
        listed.servers.map((server) => [server.name, server.status, server.optional]),
        [
          ['fs', 'connected', false],
          ['shell', 'connected', false],
          ['echo', 'connected', false],
          ['flaky', 'failed', true],
          ['off', 'disabled', false],
        ],
      );
      const echo = listed.servers.find((server) => server.name === 'echo')!;
      assert.equal(echo.tools.find((tool) => tool.name === 'dotted_name')?.exposedName, 'echo__dotted_name');
      assert.match(
        echo.tools.find((tool) => tool.name === 'dotted.name')!.exposedName,
        /^echo__dotted_name_[0-9a-f]{8}$/,
        'renamed apart from dotted_name',
      );
      assert.deepEqual(
        listed.servers.find((server) => server.name === 'shell')!.tools.map((tool) => tool.agents[0]),
        listed.servers.find((server) => server.name === 'shell')!.tools.map(() => 'code'),
      );
      assert.match(listed.servers.find((server) => server.name === 'flaky')!.error!, /cannot start: no token/);
    });

    it('right after `mux-swarm init` (fresh HOME, a dummy key) lists every shipped server connected, exit 0', async () => {
      const fresh = createProjectFixture('mux-swarm-mcp-init-');
      try {
        const home = join(fresh.directory, 'home');
        assert.equal((await runCli(['init', 'p'], { cwd: fresh.directory, env: { HOME: home } })).code, 0);
        const projectDirectory = join(fresh.directory, 'p');
        assert.ok(existsSync(join(projectDirectory, 'workspace')), 'init creates the workdir its config names');
        const result = await runCli(['mcp', 'list'], {
          cwd: projectDirectory,
          env: { HOME: home, OPENROUTER_API_KEY: 'dummy' },
        });
        assert.equal(result.code, 0, result.stdout + result.stderr);
        for (const server of ['fs', 'shell', 'python', 'web', 'memory', 'skills', 'training'])
          assert.match(result.stdout, new RegExp(`^${server}\\s+connected`, 'm'));
      } finally {
        fresh.remove();
      }
    });

    it('right after `mux-swarm init`, the skills server lists and reads the skills that ship with mux-swarm', async () => {
      const fresh = createProjectFixture('mux-swarm-skills-init-');
      try {
        const home = join(fresh.directory, 'home');
        assert.equal((await runCli(['init', 'p'], { cwd: fresh.directory, env: { HOME: home } })).code, 0);
        const projectDirectory = join(fresh.directory, 'p');
        const env = { HOME: home, OPENROUTER_API_KEY: 'dummy' };
        const listed = await runCli(['mcp', 'call', 'skills', 'list_skills', '--json'], { cwd: projectDirectory, env });
        assert.equal(listed.code, 0, listed.stdout + listed.stderr);
        const names = (
          JSON.parse(listed.stdout) as { structuredContent: { skills: Array<{ name: string }> } }
        ).structuredContent.skills.map((skill) => skill.name);
        for (const shipped of ['qlora-training', 'training-error-recovery', 'gpu-monitoring'])
          assert.ok(names.includes(shipped), `${shipped} is listed: ${names.join(', ')}`);
        const read = await runCli(['mcp', 'call', 'skills', 'read_skill', '{"name": "qlora-training"}'], {
          cwd: projectDirectory,
          env,
        });
        assert.equal(read.code, 0, read.stdout + read.stderr);
        assert.match(read.stdout, /training__wait|wait/);

        // `shipped: false` keeps them out.
        const configFile = join(projectDirectory, 'config.json');
        const config = JSON.parse(readFileSync(configFile, 'utf8')) as {
          mcpServers: Record<string, { builtin?: string; options?: Record<string, unknown> }>;
        };
        const skills = Object.values(config.mcpServers).find((entry) => entry.builtin === 'skills')!;
        skills.options = { ...skills.options, shipped: false };
        writeFileSync(configFile, JSON.stringify(config));
        const without = await runCli(['mcp', 'call', 'skills', 'list_skills', '--json'], {
          cwd: projectDirectory,
          env,
        });
        assert.equal(without.code, 0, without.stdout + without.stderr);
        assert.deepEqual(
          (JSON.parse(without.stdout) as { structuredContent: { skills: unknown[] } }).structuredContent.skills,
          [],
        );
      } finally {
        fresh.remove();
      }
    });

    it('exits 1 when a required server does not start, and still lists the others', async () => {
      const broken = createProjectFixture('mux-swarm-mcp-broken-');
      try {
        broken.write('config.json', {
          providers: { fake: { baseURL: 'http://127.0.0.1:9/v1' } },
          mcpServers: { fs: { builtin: 'filesystem' }, needed: { command: 'no-such-program-here' } },
        });
        const result = await runCli(['mcp', 'list'], { cwd: broken.directory });
        assert.equal(result.code, 1);
        assert.match(result.stdout, /^fs\s+connected/m);
        assert.match(result.stdout, /^needed\s+failed/m);
        assert.match(result.stderr, /swarm\.json not found/);
      } finally {
        broken.remove();
      }
    });
  });

  describe('call', () => {
    it('prints the result of a tool called by its own name or its exposed name, exit code 0', async () => {
      const written = await runCli(
        ['mcp', 'call', 'fs', 'write_file', '{"path": "made.txt", "content": "made by mcp call"}'],
        { cwd: project.directory },
      );
      assert.equal(written.code, 0, written.stderr);
      assert.equal(readFileSync(join(project.directory, 'made.txt'), 'utf8'), 'made by mcp call');
      const read = await runCli(['mcp', 'call', 'fs', 'fs__read_text_file', '{"path": "notes.txt", "head": 1}'], {
        cwd: project.directory,
      });
      assert.deepEqual([read.code, read.stdout], [0, 'first\n']);
      const echoed = await runCli(['mcp', 'call', 'echo', 'dotted.name'], { cwd: project.directory });
      assert.equal(echoed.code, 0, echoed.stderr);
    });

    it('reads the arguments from standard input with "-", and --json prints the whole outcome', async () => {
      const result = await runCli(['mcp', 'call', 'shell', 'run_command', '-', '--json'], {
        cwd: project.directory,
        stdin: '{"argv": ["sh", "-c", "echo out; echo err >&2"]}',
      });
      assert.equal(result.code, 0, result.stderr);
      const outcome = JSON.parse(result.stdout) as {
        isError: boolean;
        text: string;
        structuredContent: { exit_code: number; stdout: string; stderr: string };
      };
      assert.equal(outcome.isError, false);
      assert.deepEqual(
        [outcome.structuredContent.exit_code, outcome.structuredContent.stdout, outcome.structuredContent.stderr],
        [0, 'out\n', 'err\n'],
      );
    });

    it('exits 1 on an isError result, printing the error text', async () => {
      const result = await runCli(['mcp', 'call', 'fs', 'read_text_file', '{"path": "missing.txt"}'], {
        cwd: project.directory,
      });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /No such file or directory: "missing\.txt"/);
      const failed = await runCli(['mcp', 'call', 'shell', 'run_command', '{"command": "exit 4"}'], {
        cwd: project.directory,
      });
      assert.equal(failed.code, 1);
      assert.match(failed.stdout, /exit code 4/);
    });

    it('exits 2 with a suggestion for an unknown server or tool, and with the reason for bad arguments', async () => {
      const server = await runCli(['mcp', 'call', 'sh', 'run_command'], { cwd: project.directory });
      assert.equal(server.code, 2);
      assert.match(
        server.stderr,
        /config\.json has no MCP server "sh" \(did you mean "fs"\?|config\.json has no MCP server "sh"/,
      );
      assert.match(server.stderr, /configured: fs, shell, echo, flaky, off/);
      const tool = await runCli(['mcp', 'call', 'fs', 'read_txt_file', '{}'], { cwd: project.directory });
      assert.equal(tool.code, 2);
      assert.match(tool.stderr, /MCP server "fs" has no tool "read_txt_file" \(did you mean "read_text_file"\?\)/);
      const json = await runCli(['mcp', 'call', 'fs', 'read_text_file', '{path: x}'], { cwd: project.directory });
      assert.equal(json.code, 2);
      assert.match(json.stderr, /the tool arguments are not valid JSON/);
      const array = await runCli(['mcp', 'call', 'fs', 'read_text_file', '[1]'], { cwd: project.directory });
      assert.equal(array.code, 2);
      assert.match(array.stderr, /must be a JSON object .*not an array/);
      const down = await runCli(['mcp', 'call', 'flaky', 'anything'], { cwd: project.directory });
      assert.equal(down.code, 2);
      assert.match(down.stderr, /MCP server "flaky" did not start[\s\S]*cannot start: no token/);
    });
  });

  describe('serve', () => {
    async function connect(
      name: string,
      env?: Record<string, string>,
    ): Promise<{ client: Client; transport: StdioClientTransport }> {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', 'serve', name],
        cwd: project.directory,
        stderr: 'pipe',
        ...(env === undefined ? {} : { env }),
      });
      const client = new Client({ name: 'serve-test', version: '0.0.0' });
      await client.connect(transport);
      return { client, transport };
    }

    it('serves a configured built-in entry over stdio to any MCP client, with its options and workdir', async () => {
      const { client, transport } = await connect('fs');
      try {
        const tools = (await client.listTools()).tools.map((tool) => tool.name);
        assert.ok(tools.includes('read_text_file') && tools.includes('edit_file'));
        const read = outcomeOf(
          (await client.callTool({ name: 'read_text_file', arguments: { path: 'notes.txt' } })) as never,
        );
        assert.equal(read.text, 'first\nsecond\n');
        const outside = outcomeOf(
          (await client.callTool({ name: 'read_text_file', arguments: { path: '/etc/hostname' } })) as never,
        );
        assert.equal(outside.isError, true);
      } finally {
        await client.close();
      }
      assert.ok(transport.pid === null || livingMembersOfGroup(transport.pid).length === 0);
    });

    it('ends when the client goes, killing the background jobs it started', async () => {
      const { client, transport } = await connect('shell');
      const servePid = transport.pid!;
      const started = outcomeOf(
        (await client.callTool({ name: 'start_job', arguments: { command: 'sleep 300; true' } })) as never,
      );
      assert.equal(started.isError, false, started.text);
      const jobPid = Number((started.structured as { pid: number }).pid);
      assert.ok(livingMembersOfGroup(jobPid).length > 0, 'the job runs');
      await client.close();
      assert.deepEqual(await waitUntilGroupGone(jobPid, 10_000), [], "the job's process group is gone");
      assert.ok(await waitForExit(servePid), 'mux-swarm mcp serve exited');
    });

    it('sends its client no secret of its environment, not even one a job printed to its own log', async () => {
      const secret = 'sk-live-Ux7Yt6Rw5Eq4Zp3Lo2Ki1Mj0Nh9Bg8Vf';
      const { client } = await connect('shell', {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: project.directory,
        MY_SERVICE_TOKEN: secret,
      });
      try {
        const started = outcomeOf(
          (await client.callTool({ name: 'start_job', arguments: { command: `echo token=${secret}` } })) as never,
        );
        assert.equal(started.isError, false, started.text);
        const jobId = String((started.structured as { job_id: string }).job_id);
        let output = '';
        for (let calls = 0; calls < 20 && !output.includes('token='); calls += 1) {
          const waited = outcomeOf(
            (await client.callTool({ name: 'wait_job', arguments: { job_id: jobId, timeout_ms: 5_000 } })) as never,
          );
          output += String((waited.structured as { output: string }).output);
          assert.ok(!JSON.stringify(waited).includes(secret), 'wait_job sent the secret');
        }
        assert.match(output, /token=\[REDACTED\]/);
        assert.ok(!started.text.includes(secret), 'start_job sent the secret (its command)');
      } finally {
        await client.close();
      }
    });

    it('refuses a name that is neither a built-in server nor a built-in entry, with exit code 2', async () => {
      const result = await runCli(['mcp', 'serve', 'echo'], { cwd: project.directory });
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        /"echo" is not a built-in server or a built-in entry of config\.json; the built-in servers are filesystem, shell, python, fetch, memory, skills/,
      );
    });
  });
});

async function waitForExit(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

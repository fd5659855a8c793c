import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

describe('project commands: validate, agents, status, init', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer({ models: ['orchestrator-model', 'code-model'] });
    project = createProjectFixture();
    project.write('config.json', fakeConfig(server.baseURL));
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { tools: ['fs__read_*'] }),
      agents: [
        fakeAgent('code', { mcpServers: ['fs', 'shell'], deniedTools: ['fs__move_file'] }),
        fakeAgent('research', { model: 'not-served' }),
      ],
    });
  });

  after(async () => {
    await server.close();
    project.remove();
  });

  it('validate: reports what it checked and exits 0', async () => {
    const result = await runCli(['validate'], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^config\.json: ok \(1 provider, 2 of 2 MCP servers enabled, workdir \.\)\nswarm\.json: ok \(hierarchical, orchestrator \+ 2 agents: code, research\)\n$/,
    );
  });

  it('validate: a broken swarm file exits 2 with the file, JSON path and fix', async () => {
    const broken = createProjectFixture();
    try {
      broken.write('config.json', fakeConfig(server.baseURL));
      broken.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator'),
        agents: [fakeAgent('code'), fakeAgent('research', { model: undefined })],
      });
      const result = await runCli(['validate'], { cwd: broken.directory });
      assert.equal(result.code, 2);
      assert.equal(result.stderr, 'mux-swarm: swarm.json: agents[1].model: required (a string or an array)\n');
    } finally {
      broken.remove();
    }
  });

  it('agents: a table of each agent, its model, the tools it will get and whom it delegates to', async () => {
    const result = await runCli(['agents'], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[2]!, /^agent\s+model\s+tools\s+delegates to$/);
    const row = (name: string) => lines.find((line) => line.startsWith(`${name} `))!;
    assert.match(row('orchestrator'), /fake\/orchestrator-model\s+fs \(4 of 14\)\s+code, research$/);
    assert.match(row('code'), /fake\/code-model\s+fs \(13\), shell \(7\)\s+—$/);
    assert.match(row('research'), /fake\/not-served\s+none\s+—$/);

    const wide = await runCli(['agents', '--wide'], { cwd: project.directory });
    assert.match(
      wide.stdout,
      /fake\/orchestrator-model\s+fs__read_text_file, fs__read_file, fs__read_media_file, fs__read_multiple_files\s+code, research\n/,
      '--wide names each tool of a server granted in part',
    );

    const json = await runCli(['agents', '--json'], { cwd: project.directory });
    const parsed = JSON.parse(json.stdout) as { agents: Array<{ name: string; tools: string[] }> };
    const code = parsed.agents.find((agent) => agent.name === 'code')!;
    assert.ok(code.tools.includes('shell__run_command'));
    assert.ok(!code.tools.includes('fs__move_file'), 'denied tools are withheld');
  });

  it('status: providers, models listed or not, MCP servers and GPUs; exit 1 when a model is not listed', async () => {
    const bin = createProjectFixture('mux-swarm-bin-');
    try {
      // A stand-in nvidia-smi on PATH answering the documented query, with a comma in the GPU name.
      const fakeSmi = bin.write(
        'nvidia-smi',
        '#!/bin/sh\necho "0, GPU-1234, 97887, 1024, 3, 41, 72.50, 575.51, NVIDIA RTX PRO 6000, Blackwell"\n',
      );
      chmodSync(fakeSmi, 0o755);
      const result = await runCli(['status'], {
        cwd: project.directory,
        env: { PATH: `${bin.directory}:${process.env.PATH}` },
      });
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`fake\\s+${server.baseURL.replace(/[.]/g, '\\.')}\\s+none needed\\s+yes \\(\\d+ ms, 2 models\\)`),
      );
      assert.match(result.stdout, /orchestrator\s+fake\/orchestrator-model\s+yes/);
      assert.match(result.stdout, /research\s+fake\/not-served\s+NO: check the model id/);
      assert.match(result.stdout, /fs\s+connected\s+in-process\s+14/);
      assert.match(result.stdout, /shell\s+connected\s+in-process\s+7/);
      assert.match(result.stdout, /0\s+NVIDIA RTX PRO 6000, Blackwell\s+1024 \/ 97887 MiB\s+3%\s+41 C\s+72\.5 W/);
      assert.match(result.stdout, /Not ready: see the rows above\.\n$/);
    } finally {
      bin.remove();
    }
  });

  it('init: writes a starter project that validates, and refuses to overwrite it', async () => {
    const fresh = createProjectFixture();
    try {
      const result = await runCli(['init', 'starter'], { cwd: fresh.directory });
      assert.equal(result.code, 0, result.stderr);
      for (const file of ['config.json', 'swarm.json', 'goals/example.md'])
        assert.ok(existsSync(join(fresh.directory, 'starter', file)), file);
      const validate = await runCli(['validate', 'goals/example.md'], { cwd: join(fresh.directory, 'starter') });
      assert.equal(validate.code, 0, validate.stderr);
      assert.match(validate.stdout, /goals\/example\.md: ok \("FizzBuzz, tested and reported"\)/);
      const again = await runCli(['init', 'starter'], { cwd: fresh.directory });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exist; nothing was written\. Use --force to overwrite/);
      const ollama = await runCli(['init', 'local', '--ollama', 'llama3.1:8b'], { cwd: fresh.directory });
      assert.equal(ollama.code, 0, ollama.stderr);
      const swarm = JSON.parse(readFileSync(join(fresh.directory, 'local', 'swarm.json'), 'utf8')) as {
        orchestrator: { provider: string; model: string };
        agents: Array<{ provider: string; model: string }>;
      };
      assert.deepEqual(
        [swarm.orchestrator, ...swarm.agents].map((agent) => `${agent.provider}/${agent.model}`),
        Array(5).fill('ollama/llama3.1:8b'),
      );
      const config = JSON.parse(readFileSync(join(fresh.directory, 'local', 'config.json'), 'utf8')) as {
        providers: Record<string, { free?: boolean }>;
      };
      assert.equal(
        config.providers.ollama!.free,
        true,
        'the local Ollama is marked free: a USD budget does not refuse it',
      );
      assert.equal(config.providers.openrouter!.free, undefined);
      const localValidate = await runCli(['validate'], { cwd: join(fresh.directory, 'local') });
      assert.equal(localValidate.code, 0, localValidate.stderr);
    } finally {
      fresh.remove();
    }
  });

  it('prints usage errors with exit code 2', async () => {
    const unknownOption = await runCli(['run', '--max-turns', 'lots'], { cwd: project.directory });
    assert.equal(unknownOption.code, 2);
    assert.match(
      unknownOption.stderr,
      /option '--max-turns <n>' argument 'lots' is invalid\. must be a positive whole number/,
    );
    const noGoal = await runCli(['run'], { cwd: project.directory });
    assert.equal(noGoal.code, 2);
    assert.equal(
      noGoal.stderr,
      'mux-swarm: command line: no goal: give a markdown goal file, - to read one from stdin, or --task "…"\n',
    );
  });
});

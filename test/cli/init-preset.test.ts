import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { runCli } from '../support/run-cli.js';

const complete = (summary: string, artifacts: string[]) => ({
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary, artifacts } }],
});
const write = (path: string, content: string) => ({
  toolCalls: [{ name: 'fs__write_file', arguments: { path, content } }],
});

interface AgentJson {
  name: string;
  model: string;
  provider: string;
  tools?: string[];
}

describe('mux-swarm init --preset local-dev-team', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-preset-'));
  let server: FakeOpenAIServer;
  before(async () => {
    server = await startFakeOpenAIServer({ models: ['qwen2.5-coder-8k:14b', 'qwen2.5-coder-8k:3b'] });
  });
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes the team into an empty directory, with the limits the team needed', async () => {
    const result = await runCli(['init', '--preset', 'local-dev-team', '.'], { cwd: directory });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /Wrote the local-dev-team preset: config\.json, swarm\.json, goals\/safe-user-lookup\.md, ollama\/orchestrator\.Modelfile/,
    );
    assert.match(result.stdout, /sh ollama\/create-models\.sh/);

    const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8')) as {
      providers: Record<string, { baseURL: string; timeoutMs: number; free: boolean; apiKeyEnv?: string }>;
    };
    assert.deepEqual(Object.keys(config.providers), ['ollama']);
    assert.equal(config.providers.ollama!.timeoutMs, 1_200_000);
    assert.equal(config.providers.ollama!.free, true);
    assert.equal(config.providers.ollama!.apiKeyEnv, undefined);

    const swarm = JSON.parse(readFileSync(join(directory, 'swarm.json'), 'utf8')) as {
      orchestrator: { model: string; params: Record<string, number>; canDelegateTo: string[] };
      agents: Array<{ name: string; model: string; params: Record<string, number> }>;
    };
    assert.equal(swarm.orchestrator.model, 'qwen2.5-coder-8k:14b');
    assert.deepEqual(
      swarm.agents.map((agent) => agent.name),
      ['frontend', 'backend', 'test', 'security', 'docs', 'devops'],
    );
    assert.deepEqual(swarm.orchestrator.canDelegateTo, ['frontend', 'backend', 'test', 'security', 'docs', 'devops']);
    for (const agent of [swarm.orchestrator, ...swarm.agents]) {
      assert.equal(agent.params.maxOutputTokens, 2048);
      assert.equal(agent.params.contextWindow, 8192);
    }
    for (const agent of swarm.agents) assert.equal(agent.model, 'qwen2.5-coder-8k:3b');

    // The context lives in the models (Ollama's /v1 takes none per request); the script creates the names swarm.json uses.
    const orchestratorModelfile = readFileSync(join(directory, 'ollama/orchestrator.Modelfile'), 'utf8');
    assert.match(orchestratorModelfile, /^FROM qwen2\.5-coder:14b$/m);
    assert.match(orchestratorModelfile, /^PARAMETER num_ctx 8192$/m);
    assert.match(orchestratorModelfile, /^PARAMETER num_predict 2048$/m);
    assert.match(readFileSync(join(directory, 'ollama/specialist.Modelfile'), 'utf8'), /^FROM qwen2\.5-coder:3b$/m);
    const script = readFileSync(join(directory, 'ollama/create-models.sh'), 'utf8');
    assert.match(script, /^ollama create qwen2\.5-coder-8k:14b -f orchestrator\.Modelfile$/m);
    assert.match(script, /^ollama create qwen2\.5-coder-8k:3b -f specialist\.Modelfile$/m);
    assert.equal(statSync(join(directory, 'ollama/create-models.sh')).mode & 0o111, 0o111, 'the script is executable');
  });

  it('validates, goal included', async () => {
    const result = await runCli(['validate', 'goals/safe-user-lookup.md'], { cwd: directory });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /swarm\.json: ok \(hierarchical, orchestrator \+ 6 agents: frontend, backend, test, security, docs, devops\)/,
    );
    assert.match(result.stdout, /goals\/safe-user-lookup\.md: ok \("Safe user lookup"\)/);
  });

  it('lists the team with its models and tools', async () => {
    const result = await runCli(['agents', '--json'], { cwd: directory });
    assert.equal(result.code, 0, result.stderr);
    const agents = (JSON.parse(result.stdout) as { agents: AgentJson[] }).agents;
    assert.deepEqual(
      agents.map((agent) => `${agent.name}=${agent.provider}/${agent.model}`),
      [
        'orchestrator=ollama/qwen2.5-coder-8k:14b',
        ...['frontend', 'backend', 'test', 'security', 'docs', 'devops'].map(
          (name) => `${name}=ollama/qwen2.5-coder-8k:3b`,
        ),
      ],
    );
    const backend = agents.find((agent) => agent.name === 'backend')!;
    assert.ok(
      backend.tools?.includes('fs__write_file') && backend.tools.includes('shell__run_command'),
      backend.tools?.join(', '),
    );
    assert.ok(!agents.find((agent) => agent.name === 'docs')!.tools?.includes('shell__run_command'));
  });

  it('runs --flat --agents security,backend against the endpoint, with the output limit in every request', async () => {
    writeFileSync(
      join(directory, 'goal.md'),
      '---\nname: Fix SQL injection\n---\nFind and fix the SQL injection risk in users.py.\n',
    );
    server.route(
      { systemIncludes: 'You are the security specialist' },
      write('SECURITY.md', '# Rules\n- parameterised queries only\n'),
      complete('rules written', ['SECURITY.md']),
    );
    server.route(
      { systemIncludes: 'You are the backend specialist' },
      write(
        'users.py',
        'def find_user(conn, name):\n    return conn.execute("select * from users where name = ?", (name,)).fetchone()\n',
      ),
      complete('users.py uses a parameterised query', ['users.py']),
    );
    const result = await runCli(
      ['run', '--flat', '--agents', 'security,backend', 'goal.md', '--output-format', 'json'],
      { cwd: directory, env: { OLLAMA_BASE_URL: server.baseURL } },
    );
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as { subtype: string; result: string };
    assert.equal(parsed.subtype, 'success');
    assert.deepEqual(server.unmatched, []);
    assert.equal(server.pendingResponses(), 0);

    const requests = server.chatRequests();
    const roles = requests.map((request) => {
      const system = String(request.body.messages.find((message) => message.role === 'system')?.content ?? '');
      return /security specialist/.test(system) ? 'security' : /backend specialist/.test(system) ? 'backend' : 'other';
    });
    assert.deepEqual(
      roles,
      ['security', 'security', 'backend', 'backend'],
      'security first, then backend; nobody else',
    );
    for (const request of requests) {
      const body = request.body as { model: string; max_tokens?: number };
      assert.equal(body.model, 'qwen2.5-coder-8k:3b');
      assert.equal(body.max_tokens, 2048);
    }
    assert.match(readFileSync(join(directory, 'workspace', 'users.py'), 'utf8'), /name = \?/);
    assert.ok(existsSync(join(directory, 'workspace', 'SECURITY.md')));
  });

  it('refuses to overwrite the files without --force', async () => {
    writeFileSync(join(directory, 'swarm.json'), '{"edited": true}\n');
    const result = await runCli(['init', '--preset', 'local-dev-team', '.'], { cwd: directory });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /already exist; nothing was written\. Use --force to overwrite/);
    assert.equal(readFileSync(join(directory, 'swarm.json'), 'utf8'), '{"edited": true}\n');
  });
});

describe('mux-swarm init --preset <unknown>', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-preset-unknown-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('exits 2 with the list of presets and writes nothing', async () => {
    const result = await runCli(['init', '--preset', 'cloud-team', '.'], { cwd: directory });
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /--preset: no preset "cloud-team"\nThe presets are:\n {2}local-dev-team: a qwen2\.5-coder:14b orchestrator/,
    );
    assert.equal(existsSync(join(directory, 'config.json')), false);
    assert.equal(existsSync(join(directory, 'swarm.json')), false);
  });

  it('exits 2 when --preset and --ollama are both given', async () => {
    const result = await runCli(['init', '--preset', 'local-dev-team', '--ollama', '.'], { cwd: directory });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /'--preset <name>' cannot be used with option '--ollama \[model\]'/);
    assert.equal(existsSync(join(directory, 'config.json')), false);
  });
});

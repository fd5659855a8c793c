import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { runCli } from '../support/run-cli.js';

describe('mux-swarm init: the starter config', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-init-keys-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('passes the provider key to the python server alone, whose network reaches only the provider', async () => {
    const result = await runCli(['init', directory], { cwd: directory });
    assert.equal(result.code, 0, result.stderr);
    const loaded = loadConfig({
      path: 'config.json',
      currentDirectory: directory,
      environment: { OPENROUTER_API_KEY: 'sk-or-v1-0123456789abcdef', OPENAI_API_KEY: 'sk-0123456789abcdefghijkl' },
    });
    const keyVariables = Object.values(loaded.config.providers).flatMap((provider) =>
      provider.apiKeyEnv === undefined ? [] : [provider.apiKeyEnv],
    );
    assert.ok(keyVariables.includes('OPENROUTER_API_KEY'));
    const servers = Object.entries(loaded.config.mcpServers);
    assert.ok(servers.some(([name]) => name === 'shell') && servers.some(([name]) => name === 'python'));
    for (const [name, server] of servers) {
      const passEnv = server.type === 'builtin' && 'passEnv' in server.options ? server.options.passEnv : [];
      const env =
        server.type === 'stdio'
          ? Object.keys(server.env)
          : server.type === 'builtin' && 'env' in server.options
            ? Object.keys(server.options.env)
            : [];
      for (const variable of keyVariables) {
        if (name === 'python' && variable === 'OPENROUTER_API_KEY') continue;
        assert.ok(!passEnv.includes(variable), `${name} is passed ${variable}`);
        assert.ok(!env.includes(variable), `${name} is set ${variable}`);
      }
    }
    const python = loaded.config.mcpServers.python!;
    assert.ok(python.type === 'builtin' && python.builtin === 'python');
    assert.ok(python.options.passEnv.includes('OPENROUTER_API_KEY'));
    assert.deepEqual(python.options.sandbox?.network, { allow: ['openrouter.ai:443'] });
  });
});

describe('mux-swarm init --ollama with a key as well', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-init-chain-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('writes a failover chain per agent: the hosted model first, the local model last; without the key, the local model alone', async () => {
    const withKey = join(directory, 'with-key');
    const result = await runCli(['init', withKey, '--ollama', 'qwen2.5-coder:14b'], {
      cwd: directory,
      env: { OPENROUTER_API_KEY: 'sk-or-v1-0123456789abcdef' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /every agent asks OpenRouter first \(OPENROUTER_API_KEY is set\) and fails over to the local model/,
    );
    assert.doesNotMatch(result.stdout, /sk-or-v1/);
    const swarm = JSON.parse(readFileSync(join(withKey, 'swarm.json'), 'utf8')) as {
      orchestrator: Record<string, unknown>;
      agents: Array<Record<string, unknown>>;
    };
    for (const agent of [swarm.orchestrator, ...swarm.agents]) {
      assert.equal(agent.provider, undefined);
      assert.ok(Array.isArray(agent.model) && agent.model.length === 2, JSON.stringify(agent.model));
      assert.match(String(agent.model[0]), /^openrouter\/./);
      assert.equal(agent.model[1], 'ollama/qwen2.5-coder:14b');
    }
    const agents = await runCli(['agents', '--json', '--no-connect'], {
      cwd: withKey,
      env: { OPENROUTER_API_KEY: 'sk-or-v1-0123456789abcdef' },
    });
    assert.equal(agents.code, 0, agents.stderr);
    const listed = JSON.parse(agents.stdout) as { agents: Array<{ provider: string; chain: string[] }> };
    assert.ok(
      listed.agents.every(
        (agent) => agent.provider === 'openrouter' && agent.chain.at(-1) === 'ollama/qwen2.5-coder:14b',
      ),
    );

    const withoutKey = join(directory, 'without-key');
    assert.equal((await runCli(['init', withoutKey, '--ollama', 'qwen2.5-coder:14b'], { cwd: directory })).code, 0);
    const local = JSON.parse(readFileSync(join(withoutKey, 'swarm.json'), 'utf8')) as {
      orchestrator: Record<string, unknown>;
    };
    assert.deepEqual([local.orchestrator.provider, local.orchestrator.model], ['ollama', 'qwen2.5-coder:14b']);
  });
});

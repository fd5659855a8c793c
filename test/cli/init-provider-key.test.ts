import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
    const loaded = loadConfig({ path: 'config.json', currentDirectory: directory, environment: { OPENROUTER_API_KEY: 'sk-or-v1-0123456789abcdef', OPENAI_API_KEY: 'sk-0123456789abcdefghijkl' } });
    const keyVariables = Object.values(loaded.config.providers).flatMap((provider) => (provider.apiKeyEnv === undefined ? [] : [provider.apiKeyEnv]));
    assert.ok(keyVariables.includes('OPENROUTER_API_KEY'));
    const servers = Object.entries(loaded.config.mcpServers);
    assert.ok(servers.some(([name]) => name === 'shell') && servers.some(([name]) => name === 'python'));
    for (const [name, server] of servers) {
      const passEnv = server.type === 'builtin' && 'passEnv' in server.options ? server.options.passEnv : [];
      const env = server.type === 'stdio' ? Object.keys(server.env) : server.type === 'builtin' && 'env' in server.options ? Object.keys(server.options.env) : [];
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

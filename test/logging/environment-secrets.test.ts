import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { environmentSecrets } from '../../src/logging/environment-secrets.js';
import { isSecretEnvironmentName } from '../../src/logging/secret-names.js';

describe('environmentSecrets', () => {
  it('takes the values of secret-named variables, whatever their shape', () => {
    const secrets = environmentSecrets({
      MY_SERVICE_TOKEN: 'opaque-value-1',
      PGPASSWORD: 'pg-pass-word',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG',
      GITHUB_AUTH: 'Bearer gh-auth-token-1',
      SESSION_COOKIE: 'cookie-value-99',
      apiKey: 'camel-case-key',
    });
    assert.deepEqual(
      new Set(secrets),
      new Set([
        'opaque-value-1',
        'pg-pass-word',
        'wJalrXUtnFEMI/K7MDENG',
        'Bearer gh-auth-token-1',
        'gh-auth-token-1',
        'cookie-value-99',
        'camel-case-key',
      ]),
    );
  });

  it('leaves variables that only point at or describe a secret, and names that merely contain the letters', () => {
    const secrets = environmentSecrets({
      SECRET_KEY_FILE: 'conf/secret-key.pem',
      SSH_AUTH_SOCK: '/tmp/ssh-XXXXabcd/agent.1234',
      AUTH_TYPE: 'oauth-device-flow',
      GIT_AUTHOR_NAME: 'Ada Lovelace-Byron',
      KEYMAP: 'us-international',
      MONKEY_BUSINESS: 'not-a-secret-value',
      TOKENIZERS_PARALLELISM: 'false',
      HOME: '/home/someone',
    });
    assert.deepEqual(secrets, []);
    for (const name of ['OPENROUTER_API_KEY', 'HF_TOKEN', 'MY_SERVICE_TOKEN', 'DB_PASSWORD'])
      assert.equal(isSecretEnvironmentName(name), true, name);
    for (const name of ['SECRET_KEY_FILE', 'SSH_AUTH_SOCK', 'GIT_AUTHOR_EMAIL', 'KEYMAP', 'AWS_ACCESS_KEY_ID', 'PWD'])
      assert.equal(isSecretEnvironmentName(name), false, name);
  });

  it('finds API keys by their shape in any variable', () => {
    const key = 'sk-or-v1-0123456789abcdef0123456789abcdef';
    const github = `ghp_${'a1'.repeat(18)}`;
    const secrets = environmentSecrets({
      OPENAI_COMPAT: key,
      TOOL_ARGS: `--flag --token-from ${github} --x`,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    });
    assert.deepEqual(new Set(secrets), new Set([key, github, 'AKIAIOSFODNN7EXAMPLE']));
  });

  it('takes the password of a URL with credentials, percent-decoded too, and not the rest of the URL', () => {
    const secrets = environmentSecrets({
      DATABASE_URL: 'postgres://app:s3cret%40pass-word@db.internal:5432/app',
      REDIS_URL: 'redis://:r3dis-passw0rd@cache:6379/0',
      PLAIN_URL: 'https://example.com/path?q=1',
    });
    assert.deepEqual(new Set(secrets), new Set(['s3cret%40pass-word', 's3cret@pass-word', 'r3dis-passw0rd']));
  });

  it('drops short and common values and exported shell functions', () => {
    const secrets = environmentSecrets({
      SHORT_TOKEN: 'abc',
      ENABLE_AUTH: 'true',
      NUMERIC_SECRET: '1',
      PIN_PASSWORD: '12345678',
      EMPTY_KEY: '',
      BASH_FUNC_KEY: '() { echo sk-live-0123456789abcdefghij; }',
      SHORT_URL: 'postgres://u:pw@h/db',
    });
    assert.deepEqual(secrets, []);
  });
});

describe('loadConfig: the process scrubber', () => {
  it("knows the environment's secrets config.json does not refer to, besides those it names", () => {
    const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-secrets-'));
    try {
      writeFileSync(
        join(directory, 'config.json'),
        JSON.stringify({
          providers: { main: { baseURL: 'https://llm.test/v1', apiKeyEnv: 'MAIN_API_KEY' } },
          mcpServers: { tool: { command: 'some-mcp', env: { SERVICE_TOKEN: 'literal-service-token' } } },
        }),
      );
      const loaded = loadConfig({
        path: 'config.json',
        currentDirectory: directory,
        environment: {
          MAIN_API_KEY: 'sk-main-0123456789abcdefghij',
          MY_SERVICE_TOKEN: 'sk-live-unreferenced-1234',
          DATABASE_URL: 'postgres://u:db-pass-12345@h/db',
          LANG: 'C.UTF-8',
        },
      });
      const text =
        'sk-main-0123456789abcdefghij sk-live-unreferenced-1234 postgres://u:db-pass-12345@h/db literal-service-token C.UTF-8';
      assert.equal(loaded.scrubber.text(text), '[REDACTED] [REDACTED] postgres://u:[REDACTED]@h/db [REDACTED] C.UTF-8');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { interpolateEnvironment } from '../../src/config/interpolate.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors/config-error.js';

describe('interpolateEnvironment', () => {
  it('replaces ${VAR} with the variable', () => {
    const result = interpolateEnvironment({ baseURL: 'http://${HOST}:${PORT}/v1' }, { HOST: 'gpu-box', PORT: '11434' });
    assert.deepEqual(result, { value: { baseURL: 'http://gpu-box:11434/v1' }, issues: [], secrets: [] });
  });

  it('uses the default of ${VAR:-default} only when the variable is unset or empty', () => {
    const data = { url: '${BASE_URL:-http://127.0.0.1:11434/v1}' };
    assert.deepEqual(interpolateEnvironment(data, {}).value, { url: 'http://127.0.0.1:11434/v1' });
    assert.deepEqual(interpolateEnvironment(data, { BASE_URL: '' }).value, { url: 'http://127.0.0.1:11434/v1' });
    assert.deepEqual(interpolateEnvironment(data, { BASE_URL: 'https://openrouter.ai/api/v1' }).value, {
      url: 'https://openrouter.ai/api/v1',
    });
    assert.deepEqual(
      interpolateEnvironment({ suffix: 'model${TAG:-}' }, {}).value,
      { suffix: 'model' },
      'an empty default is allowed',
    );
  });

  it('reports an unset or empty variable without a default at its JSON path', () => {
    const result = interpolateEnvironment(
      { servers: [{ args: ['--token', '${GH_TOKEN}'] }], headers: { 'X-Title': '${TITLE}' } },
      { TITLE: '' },
    );
    assert.deepEqual(result.issues, [
      {
        path: 'servers[0].args[1]',
        message:
          'environment variable GH_TOKEN is not set (or is empty); export GH_TOKEN=… or write ${GH_TOKEN:-default}',
      },
      {
        path: 'headers["X-Title"]',
        message: 'environment variable TITLE is not set (or is empty); export TITLE=… or write ${TITLE:-default}',
      },
    ]);
  });

  it('reads $${ as a literal ${ and never looks that variable up', () => {
    const result = interpolateEnvironment(
      { script: 'echo $${HOME} and ${USER_NAME}', price: '$5' },
      { USER_NAME: 'ada' },
    );
    assert.deepEqual(result.issues, []);
    assert.deepEqual(result.value, { script: 'echo ${HOME} and ada', price: '$5' });
  });

  it('never interpolates keys', () => {
    const result = interpolateEnvironment(
      { headers: { '${HEADER_NAME}': '${HEADER_VALUE}' } },
      { HEADER_NAME: 'X-Name', HEADER_VALUE: 'v' },
    );
    assert.deepEqual(result.value, { headers: { '${HEADER_NAME}': 'v' } });
  });

  it('walks nested arrays and objects and leaves numbers, booleans and null alone', () => {
    const data = { a: [[{ b: '${X}' }, 3], { c: { d: ['${Y:-y}', true, null] } }], n: 1.5 };
    const result = interpolateEnvironment(data, { X: 'x' });
    assert.deepEqual(result.value, { a: [[{ b: 'x' }, 3], { c: { d: ['y', true, null] } }], n: 1.5 });
    assert.deepEqual(data.a[0], [{ b: '${X}' }, 3], 'the input is not modified');
  });

  it('keeps values with quotes, backslashes, braces and newlines intact', () => {
    const awkward = 'p"a\\ss}{\n\t,]';
    const result = interpolateEnvironment(
      { password: '${DB_PASSWORD}', both: '[${DB_PASSWORD}]' },
      { DB_PASSWORD: awkward },
    );
    assert.deepEqual(result.value, { password: awkward, both: `[${awkward}]` });
  });

  it('collects the values of secret-looking variables, and only those', () => {
    const result = interpolateEnvironment(
      {
        a: '${OPENAI_API_KEY}',
        b: '${GITHUB_TOKEN}',
        c: '${DB_PASSWORD}',
        d: '${CLIENT_SECRET}',
        e: '${HOST}',
        f: '${SESSION_TOKEN:-fallback-token-value}',
      },
      {
        OPENAI_API_KEY: 'sk-one',
        GITHUB_TOKEN: 'ghp_two',
        DB_PASSWORD: 'three',
        CLIENT_SECRET: 'four',
        HOST: 'example.com',
      },
    );
    assert.deepEqual(result.secrets.sort(), ['four', 'ghp_two', 'sk-one', 'three']);
  });

  it('leaves subtrees the caller skips untouched and unreported', () => {
    const skipSecond = (path: PropertyKey[]): boolean => path.length === 1 && path[0] === 1;
    const result = interpolateEnvironment(['${A}', { b: '${MISSING}' }], { A: 'a' }, skipSecond);
    assert.deepEqual(result, { value: ['a', { b: '${MISSING}' }], issues: [], secrets: [] });
  });
});

describe('loadConfig interpolation', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'mux-swarm-interpolate-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function load(config: unknown, environment: NodeJS.ProcessEnv): LoadedConfig {
    writeFileSync(join(directory, 'config.json'), JSON.stringify(config, null, 2));
    return loadConfig({ path: 'config.json', environment, currentDirectory: directory });
  }

  const providers = { ollama: { baseURL: '${OLLAMA_BASE_URL:-http://127.0.0.1:11434/v1}' } };

  it('substitutes into the file read from disk, JSON-breaking characters included', () => {
    const value = 'tok"en\\with}"quotes';
    const loaded = load(
      { providers: { corp: { baseURL: '${CORP_URL}', headers: { 'X-Custom': '${CUSTOM}' } } } },
      { CORP_URL: 'https://llm.corp.test/v1', CUSTOM: value },
    );
    assert.equal(loaded.config.providers.corp?.baseURL, 'https://llm.corp.test/v1');
    assert.equal(loaded.config.providers.corp?.headers['X-Custom'], value);
  });

  it('skips disabled MCP server entries: their unset variables are not errors', () => {
    const servers = {
      github: {
        command: 'npx',
        args: ['-y', '${GITHUB_PACKAGE}'],
        env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' },
        enabled: false,
      },
      notion: { url: '${NOTION_MCP_URL}', headers: { Authorization: 'Bearer ${NOTION_TOKEN}' }, enabled: false },
    };
    const loaded = load({ providers, mcpServers: servers }, {});
    const github = loaded.config.mcpServers.github;
    assert.ok(github?.type === 'stdio');
    assert.equal(github.enabled, false);
    assert.deepEqual(github.env, { GITHUB_TOKEN: '${GITHUB_TOKEN}' }, 'left as written');
    const notion = loaded.config.mcpServers.notion;
    assert.ok(notion?.type === 'http');
    assert.equal(notion.url, '${NOTION_MCP_URL}');
  });

  it('still reports the same variables once the entry is enabled', () => {
    const servers = { notion: { url: '${NOTION_MCP_URL}', headers: { Authorization: 'Bearer ${NOTION_TOKEN}' } } };
    assert.throws(
      () => load({ providers, mcpServers: servers }, {}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(
          error.message,
          [
            'config.json: mcpServers.notion.url: environment variable NOTION_MCP_URL is not set (or is empty); export NOTION_MCP_URL=… or write ${NOTION_MCP_URL:-default}',
            'config.json: mcpServers.notion.headers.Authorization: environment variable NOTION_TOKEN is not set (or is empty); export NOTION_TOKEN=… or write ${NOTION_TOKEN:-default}',
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('still checks a disabled entry for typos, and an enabled URL that holds no variable', () => {
    assert.throws(
      () =>
        load({ providers, mcpServers: { notion: { url: '${NOTION_MCP_URL}', enabeld: true, enabled: false } } }, {}),
      {
        message:
          'config.json: mcpServers.notion.enabeld: unknown key (did you mean "enabled"?); allowed here: description, enabled, headers, maxRestarts, optional, timeoutMs, type, url',
      },
    );
    assert.throws(
      () => load({ providers, mcpServers: { notion: { url: 'mcp.notion.com/mcp', enabled: false } } }, {}),
      {
        message: 'config.json: mcpServers.notion.url: must be an http(s) URL of the MCP endpoint',
      },
    );
  });

  it('collects secrets from secret-looking variables, API key variables and auth headers, dropping short ones', () => {
    const loaded = load(
      {
        providers: {
          openrouter: { baseURL: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY' },
          corp: { baseURL: 'https://llm.corp.test/v1', headers: { Authorization: 'Bearer corp-literal-token' } },
        },
        mcpServers: {
          github: { command: 'npx', env: { GITHUB_TOKEN: '${GITHUB_TOKEN}', SHORT: '${SHORT_KEY}' } },
          search: { url: 'https://search.test/mcp', headers: { 'X-Api-Key': 'search-key-12345' } },
        },
      },
      { OPENROUTER_API_KEY: 'sk-or-v1-abcdef', GITHUB_TOKEN: 'ghp_0123456789', SHORT_KEY: 'abc' },
    );
    assert.deepEqual(loaded.secrets.sort(), [
      'abc',
      'corp-literal-token',
      'ghp_0123456789',
      'search-key-12345',
      'sk-or-v1-abcdef',
    ]);
    // Very short values would scrub ordinary words out of transcripts: the scrubber leaves them alone.
    const scrubber = new SecretScrubber(loaded.secrets);
    assert.equal(scrubber.size, 4);
    assert.equal(scrubber.text('abc uses ghp_0123456789'), 'abc uses [REDACTED]');
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_MISSING_HINT, loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { loadSwarm, SWARM_MISSING_HINT, type LoadedSwarm } from '../../src/config/load-swarm.js';
import { ConfigError } from '../../src/errors/config-error.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mux-swarm-config-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function write(name: string, content: unknown): void {
  const file = join(directory, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, 'config_invalid');
    return error;
  }
  return assert.fail('expected the file to be refused');
}

const validConfig = {
  providers: {
    openrouter: { baseURL: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY' },
    ollama: { baseURL: 'http://127.0.0.1:11434/v1' },
  },
  mcpServers: { fs: { builtin: 'filesystem' }, shell: { builtin: 'shell' } },
};

function loadConfigFile(content: unknown, environment: NodeJS.ProcessEnv = {}): LoadedConfig {
  write('config.json', content);
  return loadConfig({ path: 'config.json', environment, currentDirectory: directory });
}

function agent(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, description: `the ${name} agent`, provider: 'openrouter', model: 'openai/gpt-5', ...extra };
}

function swarmWith(agents: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orchestrator: { description: 'plans and delegates', provider: 'openrouter', model: 'openai/gpt-5' },
    agents,
    ...extra,
  };
}

function loadSwarmFile(content: unknown): LoadedSwarm {
  const config = loadConfigFile(validConfig);
  write('swarm.json', content);
  return loadSwarm({
    path: 'swarm.json',
    currentDirectory: directory,
    config: config.config,
    configLabel: config.label,
  });
}

describe('config.json errors', () => {
  it('reports invalid JSON with its line and column', () => {
    const error = configErrorOf(() =>
      loadConfigFile('{\n  "providers": {\n    "ollama": { "baseURL": "http://127.0.0.1:11434/v1" },\n  }\n}'),
    );
    assert.equal(error.message, 'config.json: invalid JSON: Expected double-quoted property name at line 4, column 3');
    assert.equal(error.file, 'config.json');
    assert.deepEqual(error.issues, [
      { path: '', message: 'invalid JSON: Expected double-quoted property name at line 4, column 3' },
    ]);
  });

  it('locates a stray character without quoting the file back (it may hold secrets)', () => {
    const text =
      '{\n  "providers": {\n    "a": { "baseURL": \'https://x.test/v1\', "headers": { "Authorization": "Bearer sk-secret-123456" } }\n  }\n}';
    const error = configErrorOf(() => loadConfigFile(text));
    assert.equal(error.message, 'config.json: invalid JSON: Unexpected character "\'" at line 3, column 23');
  });

  it('reports a truncated file at its end, and an empty file as empty', () => {
    const truncated = configErrorOf(() =>
      loadConfigFile('{\n  "providers": {\n    "ollama": { "baseURL": "http://127.0.0.1:11434/v1"'),
    );
    assert.equal(
      truncated.message,
      'config.json: invalid JSON: the file ends early at line 3, column 55: a closing "}", "]" or quote is missing',
    );
    const unclosedString = configErrorOf(() => loadConfigFile('{\n  "stateDir": ".mux'));
    assert.equal(
      unclosedString.message,
      'config.json: invalid JSON: the file ends early at line 2, column 20: a closing "}", "]" or quote is missing',
    );
    const empty = configErrorOf(() => loadConfigFile(''));
    assert.equal(empty.message, 'config.json: invalid JSON: the file is empty; it should hold a JSON object');
  });

  it('reports a missing file with a hint to run mux-swarm init', () => {
    const error = configErrorOf(() =>
      loadConfig({ path: 'config.json', environment: {}, currentDirectory: directory }),
    );
    assert.equal(error.message, `config.json: not found at ${join(directory, 'config.json')}\n${CONFIG_MISSING_HINT}`);
    assert.match(error.message, /mux-swarm init/);
  });

  it('suggests the key an unknown key was probably meant to be', () => {
    const error = configErrorOf(() =>
      loadConfigFile({
        providers: { openrouter: { baseURL: 'https://openrouter.ai/api/v1', apikeyEnv: 'OPENROUTER_API_KEY' } },
      }),
    );
    assert.equal(
      error.message,
      'config.json: providers.openrouter.apikeyEnv: unknown key (did you mean "apiKeyEnv"?); allowed here: apiKeyEnv, baseURL, catalogue, description, free, headers, maxRetries, stream, timeoutMs',
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['providers.openrouter.apikeyEnv'],
    );
  });

  it('reports an unknown key that resembles nothing, listing what is allowed', () => {
    const error = configErrorOf(() => loadConfigFile({ ...validConfig, colour: 'blue' }));
    assert.equal(
      error.message,
      'config.json: colour: unknown key; allowed here: $schema, failover, filesystem, logging, mcpServers, memory, prices, providers, sandbox, stateDir, telemetry',
    );
  });

  it('names the expected type and the value found', () => {
    const error = configErrorOf(() =>
      loadConfigFile({ providers: { ollama: { baseURL: 'http://127.0.0.1:11434/v1', timeoutMs: '600000' } } }),
    );
    assert.equal(error.message, 'config.json: providers.ollama.timeoutMs: expected a number, got "600000"');
  });

  it('refuses an MCP server entry with neither command, url nor builtin', () => {
    const error = configErrorOf(() =>
      loadConfigFile({ ...validConfig, mcpServers: { github: { args: ['-y', 'server-github'] } } }),
    );
    assert.equal(
      error.message,
      'config.json: mcpServers.github: needs "command" (a stdio server), "url" (an HTTP server) or "builtin" (a mux-swarm server)',
    );
  });

  it('refuses an unknown builtin server', () => {
    const error = configErrorOf(() => loadConfigFile({ ...validConfig, mcpServers: { web: { builtin: 'browser' } } }));
    assert.equal(
      error.message,
      'config.json: mcpServers.web.builtin: must be one of the built-in servers: "filesystem", "shell", "python", "fetch", "memory", "skills", "training"',
    );
  });

  it('refuses a URL that is not http(s)', () => {
    const error = configErrorOf(() =>
      loadConfigFile({ ...validConfig, mcpServers: { remote: { url: 'ftp://mcp.example.com/mcp' } } }),
    );
    assert.equal(error.message, 'config.json: mcpServers.remote.url: must be an http(s) URL of the MCP endpoint');
    const provider = configErrorOf(() => loadConfigFile({ providers: { local: { baseURL: 'file:///tmp/model' } } }));
    assert.equal(
      provider.message,
      'config.json: providers.local.baseURL: must be an http(s) URL such as https://openrouter.ai/api/v1',
    );
  });

  it('lists only the keys of the kind of server the entry is', () => {
    const error = configErrorOf(() =>
      loadConfigFile({
        ...validConfig,
        mcpServers: { github: { command: 'npx', url: 'https://mcp.example.com/mcp' } },
      }),
    );
    assert.equal(
      error.message,
      'config.json: mcpServers.github.url: unknown key; allowed here: args, command, cwd, description, enabled, env, maxRestarts, optional, sandbox, timeoutMs, type',
    );
  });

  it('says which names a server may have', () => {
    const error = configErrorOf(() =>
      loadConfigFile({ ...validConfig, mcpServers: { my_server: { command: 'npx' } } }),
    );
    assert.equal(
      error.message,
      'config.json: mcpServers.my_server: server names use letters, digits and "-" (no "_": tools are named server__tool)',
    );
  });

  it('reports an unset ${VAR} at its JSON path', () => {
    const error = configErrorOf(() =>
      loadConfigFile({
        providers: { corp: { baseURL: 'https://llm.corp.test/v1', headers: { 'X-Api-Key': '${CORP_KEY}' } } },
      }),
    );
    assert.equal(
      error.message,
      'config.json: providers.corp.headers["X-Api-Key"]: environment variable CORP_KEY is not set (or is empty); export CORP_KEY=… or write ${CORP_KEY:-default}',
    );
    assert.deepEqual(error.issues, [
      {
        path: 'providers.corp.headers["X-Api-Key"]',
        message:
          'environment variable CORP_KEY is not set (or is empty); export CORP_KEY=… or write ${CORP_KEY:-default}',
      },
    ]);
  });

  it('reports several problems together, one line each', () => {
    const error = configErrorOf(() =>
      loadConfigFile({
        providers: { ollama: { baseURL: 'localhost:11434', maxRetries: 50 } },
        mcpServers: { fs: { builtin: 'filesystem', options: { readonly: true } } },
        logging: { level: 'verbose' },
      }),
    );
    assert.equal(
      error.message,
      [
        'config.json: providers.ollama.baseURL: must be an http(s) URL such as https://openrouter.ai/api/v1',
        'config.json: providers.ollama.maxRetries: must be at most 20; got 50',
        'config.json: mcpServers.fs.options.readonly: unknown key (did you mean "readOnly"?); allowed here: readOnly, roots',
        'config.json: logging.level: must be one of "fatal", "error", "warn", "info", "debug", "trace"; got "verbose"',
      ].join('\n'),
    );
    assert.equal(error.issues.length, 4);
  });

  it('refuses a workdir outside every allowed root', () => {
    const error = configErrorOf(() =>
      loadConfigFile({ ...validConfig, filesystem: { workdir: 'workspace', allowedRoots: ['../data'] } }),
    );
    assert.equal(
      error.message,
      `config.json: filesystem.allowedRoots: none of the roots contains the workdir ${join(directory, 'workspace')}; add "." to allowedRoots (roots are relative to the workdir)`,
    );
  });

  it('refuses a workdir that is a file', () => {
    write('notes.txt', 'not a directory');
    const error = configErrorOf(() => loadConfigFile({ ...validConfig, filesystem: { workdir: 'notes.txt' } }));
    assert.equal(
      error.message,
      `config.json: filesystem.workdir: ${join(directory, 'notes.txt')} exists and is not a directory`,
    );
  });
});

describe('swarm.json errors', () => {
  it('reports a missing required field by its path: agents[2].model', () => {
    const { model: _model, ...withoutModel } = agent('memory');
    const error = configErrorOf(() => loadSwarmFile(swarmWith([agent('code'), agent('research'), withoutModel])));
    assert.equal(error.message, 'swarm.json: agents[2].model: required (a string or an array)');
    assert.equal(error.file, 'swarm.json');
    assert.deepEqual(error.issues, [{ path: 'agents[2].model', message: 'required (a string or an array)' }]);
  });

  it('reports a missing swarm.json with a hint to run mux-swarm init', () => {
    const config = loadConfigFile(validConfig);
    const error = configErrorOf(() =>
      loadSwarm({ path: 'swarm.json', currentDirectory: directory, config: config.config, configLabel: config.label }),
    );
    assert.equal(error.message, `swarm.json: not found at ${join(directory, 'swarm.json')}\n${SWARM_MISSING_HINT}`);
  });

  it('names the expected type of a field', () => {
    const error = configErrorOf(() => loadSwarmFile(swarmWith([agent('code', { maxTurns: '50', mcpServers: 'fs' })])));
    assert.equal(
      error.message,
      'swarm.json: agents[0].mcpServers: expected an array, got "fs"\nswarm.json: agents[0].maxTurns: expected a number, got "50"',
    );
  });

  it('suggests a close key for a typo inside an agent', () => {
    const error = configErrorOf(() => loadSwarmFile(swarmWith([agent('code', { params: { temprature: 0.2 } })])));
    assert.equal(
      error.message,
      'swarm.json: agents[0].params.temprature: unknown key (did you mean "temperature"?); allowed here: contextWindow, maxOutputTokens, temperature, timeoutMs',
    );
  });

  it('refuses an agent on an unknown provider, suggesting the near one', () => {
    const error = configErrorOf(() =>
      loadSwarmFile(
        swarmWith([agent('code', { provider: 'openruoter' }), agent('research', { provider: 'anthropic' })]),
      ),
    );
    assert.equal(
      error.message,
      [
        'swarm.json: agents[0].provider: "openruoter" is not a provider in config.json providers (did you mean "openrouter"?); defined: openrouter, ollama',
        'swarm.json: agents[1].provider: "anthropic" is not a provider in config.json providers; defined: openrouter, ollama',
      ].join('\n'),
    );
  });

  it('refuses a granted MCP server that config.json does not define', () => {
    const error = configErrorOf(() => loadSwarmFile(swarmWith([agent('code', { mcpServers: ['fs', 'github'] })])));
    assert.equal(
      error.message,
      'swarm.json: agents[0].mcpServers[1]: "github" is not an MCP server in config.json mcpServers; defined: fs, shell',
    );
  });

  it('refuses delegation to an unknown agent, to itself and to the orchestrator', () => {
    const error = configErrorOf(() =>
      loadSwarmFile(swarmWith([agent('code', { canDelegateTo: ['memroy', 'code', 'orchestrator'] }), agent('memory')])),
    );
    assert.equal(
      error.message,
      [
        'swarm.json: agents[0].canDelegateTo[0]: "memroy" is not an agent in swarm.json agents (did you mean "memory"?); defined: code, memory',
        'swarm.json: agents[0].canDelegateTo[1]: an agent cannot delegate to itself',
        'swarm.json: agents[0].canDelegateTo[2]: agents cannot delegate to the orchestrator "orchestrator"',
      ].join('\n'),
    );
  });

  it('refuses duplicate agent names', () => {
    const error = configErrorOf(() => loadSwarmFile(swarmWith([agent('code'), agent('research'), agent('code')])));
    assert.equal(
      error.message,
      'swarm.json: agents[2].name: "code" is already used by agents[0]; agent names must be unique',
    );
  });

  it('refuses both systemPrompt and systemPromptFile', () => {
    write('prompts/code.md', 'You write code.');
    const error = configErrorOf(() =>
      loadSwarmFile(
        swarmWith([agent('code', { systemPrompt: 'You write code.', systemPromptFile: 'prompts/code.md' })]),
      ),
    );
    assert.equal(
      error.message,
      'swarm.json: agents[0]: give either systemPrompt (inline) or systemPromptFile (a path), not both',
    );
  });

  it('refuses a systemPromptFile that does not exist, naming where it looked', () => {
    const error = configErrorOf(() =>
      loadSwarmFile(swarmWith([agent('code', { systemPromptFile: 'prompts/code.md' })])),
    );
    assert.equal(
      error.message,
      `swarm.json: agents[0].systemPromptFile: cannot read ${join(directory, 'prompts', 'code.md')} (ENOENT); paths are relative to the swarm file`,
    );
  });

  it('reports several schema problems together, one line each', () => {
    const error = configErrorOf(() =>
      loadSwarmFile(
        swarmWith([agent('Code'), agent('research', { description: '' })], {
          mode: 'parallel',
          limits: { maxTurns: 0, maxTurn: 10 },
        }),
      ),
    );
    assert.equal(
      error.message,
      [
        'swarm.json: mode: must be one of "hierarchical", "flat"; got "parallel"',
        'swarm.json: agents[0].name: agent names are lowercase letters, digits and "-", starting with a letter (e.g. "code")',
        'swarm.json: agents[1].description: must say what this agent is for: delegators choose by it',
        'swarm.json: limits.maxTurns: must be greater than 0; got 0',
        'swarm.json: limits.maxTurn: unknown key (did you mean "maxTurns"?); allowed here: maxBudgetUsd, maxConcurrentDelegations, maxDelegationDepth, maxParallelToolCalls, maxTokens, maxToolResultChars, maxTurns, stuck, timeout',
      ].join('\n'),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['mode', 'agents[0].name', 'agents[1].description', 'limits.maxTurns', 'limits.maxTurn'],
    );
  });

  it('refuses an unknown agent in flatOrder and an unreadable timeout', () => {
    const flat = configErrorOf(() =>
      loadSwarmFile(swarmWith([agent('code'), agent('research')], { mode: 'flat', flatOrder: ['reserch', 'code'] })),
    );
    assert.equal(
      flat.message,
      'swarm.json: flatOrder[0]: "reserch" is not an agent in swarm.json agents (did you mean "research"?); defined: code, research',
    );
    const timeout = configErrorOf(() => loadSwarmFile(swarmWith([agent('code')], { limits: { timeout: 'soon' } })));
    assert.equal(
      timeout.message,
      'swarm.json: limits.timeout: must be a positive duration: seconds as a number, or "90s", "45m", "2h", "1h30m"',
    );
  });

  it('refuses no-progress thresholds below 2, and unknown keys in them, run-wide and per agent', () => {
    const limits = configErrorOf(() =>
      loadSwarmFile(swarmWith([agent('code')], { limits: { stuck: { repeatedCalls: 1, idleTurn: 5 } } })),
    );
    assert.deepEqual(
      limits.issues.map((issue) => issue.path),
      ['limits.stuck.repeatedCalls', 'limits.stuck.idleTurn'],
    );
    assert.match(
      limits.message,
      /limits\.stuck\.repeatedCalls: must be a whole number from 2 to 1000, or false to turn this rule off/,
    );
    assert.match(limits.message, /limits\.stuck\.idleTurn: unknown key \(did you mean "idleTurns"\?\)/);
    const perAgent = configErrorOf(() => loadSwarmFile(swarmWith([agent('code', { stuck: { idleTurns: true } })])));
    assert.match(
      perAgent.message,
      /agents\[0\]\.stuck\.idleTurns: must be a whole number from 2 to 1000, or false to turn this rule off/,
    );
  });
});

describe('valid files', () => {
  it('loads the shipped config.json and swarm.json with no keys in the environment', () => {
    const config = loadConfig({ path: 'config.json', environment: {}, currentDirectory: repositoryRoot });
    assert.equal(config.label, 'config.json');
    assert.deepEqual(Object.keys(config.config.providers), ['openrouter', 'ollama', 'openai']);
    assert.equal(
      config.config.providers.ollama?.baseURL,
      'http://127.0.0.1:11434/v1',
      'the ${OLLAMA_BASE_URL:-…} default',
    );
    assert.equal(config.config.providers.openai?.timeoutMs, 120_000, 'default timeout');
    assert.equal(config.config.providers.openai?.stream, false);
    assert.equal(config.workdir, join(repositoryRoot, 'workspace'));
    assert.deepEqual(config.allowedRoots, [join(repositoryRoot, 'workspace')]);
    assert.deepEqual(config.secrets, [], 'API keys are checked when a run starts, not at load');

    const swarm = loadSwarm({
      path: 'swarm.json',
      currentDirectory: repositoryRoot,
      config: config.config,
      configLabel: config.label,
    });
    assert.deepEqual(
      swarm.agents.map((agent) => agent.name),
      ['code', 'research', 'monitor', 'memory'],
    );
    assert.deepEqual(swarm.orchestrator.canDelegateTo, ['code', 'research', 'monitor', 'memory']);
    assert.equal(swarm.limits.maxParallelToolCalls, 8, 'default limit');
    assert.deepEqual(swarm.warnings, []);
  });

  it('fills in defaults for a minimal config and swarm', () => {
    write('prompts/research.md', 'You research things.');
    const config = loadConfigFile({ providers: { ollama: { baseURL: 'http://127.0.0.1:11434/v1' } } });
    assert.deepEqual(config.config.providers.ollama, {
      baseURL: 'http://127.0.0.1:11434/v1',
      headers: {},
      timeoutMs: 120_000,
      maxRetries: 4,
      stream: false,
      free: false,
    });
    assert.deepEqual(config.config.mcpServers, {});
    assert.deepEqual(config.config.logging, { level: 'info', consoleLevel: 'warn' });
    assert.equal(config.workdir, directory, 'the directory mux-swarm runs from');
    assert.equal(config.stateDirectory, join(directory, '.mux-swarm'));

    write('swarm.json', {
      orchestrator: { description: 'plans', provider: 'ollama', model: 'qwen3' },
      agents: [
        {
          name: 'research',
          description: 'reads',
          provider: 'ollama',
          model: 'qwen3',
          systemPromptFile: 'prompts/research.md',
        },
      ],
    });
    const swarm = loadSwarm({
      path: 'swarm.json',
      currentDirectory: directory,
      config: config.config,
      configLabel: config.label,
    });
    assert.equal(swarm.mode, 'hierarchical');
    assert.equal(swarm.orchestrator.name, 'orchestrator');
    assert.equal(swarm.orchestrator.systemPrompt, 'You are the orchestrator agent. plans');
    assert.equal(swarm.agents[0]?.systemPrompt, 'You research things.');
    assert.deepEqual(swarm.agents[0]?.canDelegateTo, []);
    assert.equal(swarm.agents[0]?.maxTurns, 40);
    assert.deepEqual(swarm.flatOrder, ['research']);
    assert.equal(swarm.limits.maxTurns, 300);
    assert.equal(swarm.limits.timeout, undefined);
  });

  it('warns, without refusing, when an agent is granted a disabled server', () => {
    const config = loadConfigFile({
      ...validConfig,
      mcpServers: { ...validConfig.mcpServers, github: { command: 'npx', enabled: false } },
    });
    write('swarm.json', swarmWith([agent('code', { mcpServers: ['fs', 'github'] })]));
    const swarm = loadSwarm({
      path: 'swarm.json',
      currentDirectory: directory,
      config: config.config,
      configLabel: config.label,
    });
    assert.deepEqual(swarm.warnings, [
      'swarm.json: agents[0].mcpServers[1]: server "github" is disabled in config.json; code will not get its tools',
    ]);
  });

  it('a failover chain: "provider/model" entries, bare models on the agent\'s provider, {provider, model}; one model keeps its slashes', () => {
    const swarm = loadSwarmFile(
      swarmWith([
        agent('code', { provider: undefined, model: ['openrouter/openai/gpt-5', 'ollama/qwen2.5-coder:14b'] }),
        agent('docs', {
          provider: 'ollama',
          model: ['llama3.1:8b', { provider: 'openrouter', model: 'openai/gpt-4.1' }],
        }),
      ]),
    );
    const chains = Object.fromEntries(
      [swarm.orchestrator, ...swarm.agents].map((entry) => [
        entry.name,
        entry.chain.map((ref) => `${ref.provider}|${ref.model}`),
      ]),
    );
    assert.deepEqual(chains, {
      orchestrator: ['openrouter|openai/gpt-5'],
      code: ['openrouter|openai/gpt-5', 'ollama|qwen2.5-coder:14b'],
      docs: ['ollama|llama3.1:8b', 'openrouter|openai/gpt-4.1'],
    });
    assert.deepEqual(
      [swarm.agents[0]!.provider, swarm.agents[0]!.model],
      ['openrouter', 'openai/gpt-5'],
      "the first entry is the agent's model",
    );
  });

  it('a chain entry that names no provider, an unknown provider, a repeat, or one model without a provider: exit-2 errors at their JSON paths', () => {
    const error = configErrorOf(() =>
      loadSwarmFile(
        swarmWith([
          agent('code', { provider: undefined, model: ['openroutr/openai/gpt-5', 'qwen2.5-coder:14b'] }),
          agent('docs', {
            provider: 'ollama',
            model: ['llama3.1:8b', 'ollama/llama3.1:8b', { provider: 'nowhere', model: 'x' }],
          }),
          agent('test', { provider: undefined, model: 'gpt-5' }),
        ]),
      ),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      [
        'agents[0].model[0]',
        'agents[0].model[1]',
        'agents[1].model[1]',
        'agents[1].model[2].provider',
        'agents[2].provider',
      ],
    );
    const text = error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n');
    assert.match(
      text,
      /agents\[0\]\.model\[0\]: "openroutr\/openai\/gpt-5" names no provider of config\.json \(did you mean "openrouter\/openai\/gpt-5"\?\)/,
    );
    assert.match(text, /agents\[1\]\.model\[1\]: "ollama\/llama3\.1:8b" is already in this chain/);
    assert.match(text, /agents\[2\]\.provider: is required with one model/);
    const empty = configErrorOf(() => loadSwarmFile(swarmWith([agent('empty', { model: [] })])));
    assert.deepEqual(
      empty.issues.map((issue) => `${issue.path}: ${issue.message}`),
      ['agents[0].model: a failover chain needs at least one model'],
    );
  });
});

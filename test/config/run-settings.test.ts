import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { parseGoal, type Goal } from '../../src/config/load-goal.js';
import { loadSwarm, type LoadedSwarm } from '../../src/config/load-swarm.js';
import { resolveRunSettings } from '../../src/config/run-settings.js';
import { ConfigError } from '../../src/errors/config-error.js';

let directory: string;
let config: LoadedConfig;
let swarm: LoadedSwarm;

function agent(name: string, canDelegateTo: string[] = []): Record<string, unknown> {
  return { name, description: `the ${name} agent`, provider: 'openrouter', model: `model-for-${name}`, canDelegateTo };
}

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'mux-swarm-run-settings-'));
  writeFileSync(
    join(directory, 'config.json'),
    JSON.stringify({
      providers: {
        openrouter: { baseURL: 'https://openrouter.ai/api/v1' },
        ollama: { baseURL: 'http://127.0.0.1:11434/v1' },
      },
    }),
  );
  writeFileSync(
    join(directory, 'swarm.json'),
    JSON.stringify({
      orchestrator: { description: 'plans', provider: 'openrouter', model: 'model-for-orchestrator' },
      agents: [agent('code', ['memory', 'research']), agent('research', ['memory']), agent('monitor'), agent('memory')],
      flatOrder: ['research', 'code'],
      limits: {
        maxTurns: 300,
        maxBudgetUsd: 10,
        maxTokens: 1_000_000,
        timeout: '2h',
        maxConcurrentDelegations: 4,
        maxDelegationDepth: 2,
      },
    }),
  );
  config = loadConfig({ path: 'config.json', environment: {}, currentDirectory: directory });
  swarm = loadSwarm({
    path: 'swarm.json',
    currentDirectory: directory,
    config: config.config,
    configLabel: config.label,
  });
});
after(() => {
  rmSync(directory, { recursive: true, force: true });
});

const plainGoal = (): Goal => parseGoal('# Goal\n\nDo it.', 'goal.md');
const goalWith = (frontMatter: string): Goal => parseGoal(`---\n${frontMatter}\n---\n# Goal\n\nDo it.`, 'goal.md');

function configErrorOf(resolve: () => unknown): ConfigError {
  try {
    resolve();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected the settings to be refused');
}

describe('limit precedence: command line > goal front matter > swarm.json', () => {
  const frontMatter =
    'mode: flat\nbudget:\n  usd: 3\n  tokens: 50000\n  time: 45m\nlimits:\n  maxTurns: 60\n  maxConcurrentDelegations: 2';

  it('takes swarm.json limits when nothing else sets them', () => {
    const settings = resolveRunSettings(swarm, plainGoal(), {}, config.config);
    assert.deepEqual(settings.limits, {
      ...swarm.limits,
      maxTurns: 300,
      maxBudgetUsd: 10,
      maxTokens: 1_000_000,
      timeout: 7_200_000,
      maxConcurrentDelegations: 4,
    });
    assert.equal(settings.mode, 'hierarchical');
  });

  it('lets the goal front matter override swarm.json', () => {
    const settings = resolveRunSettings(swarm, goalWith(frontMatter), {}, config.config);
    assert.equal(settings.mode, 'flat');
    assert.equal(settings.limits.maxTurns, 60);
    assert.equal(settings.limits.maxBudgetUsd, 3);
    assert.equal(settings.limits.maxTokens, 50_000);
    assert.equal(settings.limits.timeout, 2_700_000);
    assert.equal(settings.limits.maxConcurrentDelegations, 2);
    assert.equal(settings.limits.maxDelegationDepth, 2, 'limits the goal cannot set stay as swarm.json has them');
  });

  it('lets the command line override both', () => {
    const overrides = {
      mode: 'hierarchical' as const,
      maxTurns: 5,
      maxBudgetUsd: 0.5,
      maxTokens: 1_000,
      timeoutMs: 30_000,
    };
    const settings = resolveRunSettings(swarm, goalWith(frontMatter), overrides, config.config);
    assert.equal(settings.mode, 'hierarchical');
    assert.equal(settings.limits.maxTurns, 5);
    assert.equal(settings.limits.maxBudgetUsd, 0.5);
    assert.equal(settings.limits.maxTokens, 1_000);
    assert.equal(settings.limits.timeout, 30_000);
    assert.equal(settings.limits.maxConcurrentDelegations, 2, 'the command line does not set this one');
  });

  it('applies each source per limit, not all or nothing', () => {
    const settings = resolveRunSettings(swarm, goalWith('budget:\n  usd: 3'), { maxTurns: 7 }, config.config);
    assert.equal(settings.limits.maxTurns, 7);
    assert.equal(settings.limits.maxBudgetUsd, 3);
    assert.equal(settings.limits.maxTokens, 1_000_000);
    assert.equal(settings.limits.timeout, 7_200_000);
  });
});

describe('choosing the team', () => {
  it('restricts the team to --agents, keeping swarm.json order, and drops delegation to agents left out', () => {
    const settings = resolveRunSettings(swarm, plainGoal(), { agents: ['memory', 'code'] }, config.config);
    assert.deepEqual(
      settings.agents.map((agent) => agent.name),
      ['code', 'memory'],
    );
    assert.deepEqual(
      settings.agents.find((agent) => agent.name === 'code')?.canDelegateTo,
      ['memory'],
      'research is not in play',
    );
    assert.deepEqual(settings.orchestrator.canDelegateTo, ['code', 'memory']);
    assert.deepEqual(
      swarm.orchestrator.canDelegateTo,
      ['code', 'research', 'monitor', 'memory'],
      'the loaded swarm is not changed',
    );
  });

  it('works flat mode in the order --agents gives, else in swarm.json flatOrder', () => {
    assert.deepEqual(
      resolveRunSettings(swarm, plainGoal(), { mode: 'flat', agents: ['memory', 'code'] }, config.config).flatOrder,
      ['memory', 'code'],
    );
    assert.deepEqual(resolveRunSettings(swarm, plainGoal(), { mode: 'flat' }, config.config).flatOrder, [
      'research',
      'code',
    ]);
  });

  it('runs an agent named twice in --agents only once', () => {
    const settings = resolveRunSettings(
      swarm,
      plainGoal(),
      { mode: 'flat', agents: ['code', 'memory', 'code'] },
      config.config,
    );
    assert.deepEqual(settings.flatOrder, ['code', 'memory']);
    assert.deepEqual(
      settings.agents.map((agent) => agent.name),
      ['code', 'memory'],
    );
  });

  it('takes the team from the goal front matter, unless --agents is given', () => {
    const goal = goalWith('agents: [research, monitor]');
    assert.deepEqual(
      resolveRunSettings(swarm, goal, {}, config.config).agents.map((agent) => agent.name),
      ['research', 'monitor'],
    );
    assert.deepEqual(
      resolveRunSettings(swarm, goal, { agents: ['code'] }, config.config).agents.map((agent) => agent.name),
      ['code'],
    );
  });

  it('refuses an unknown agent in --agents, suggesting the near one', () => {
    const error = configErrorOf(() =>
      resolveRunSettings(swarm, plainGoal(), { agents: ['code', 'reserch', 'writer'] }, config.config),
    );
    assert.equal(
      error.message,
      [
        'command line: --agents: "reserch" is not an agent in swarm.json (did you mean "research"?); agents: code, research, monitor, memory',
        'command line: --agents: "writer" is not an agent in swarm.json; agents: code, research, monitor, memory',
      ].join('\n'),
    );
    assert.equal(error.file, 'command line');
  });

  it('blames the goal file for an unknown agent in its front matter', () => {
    const error = configErrorOf(() => resolveRunSettings(swarm, goalWith('agents: [code, memroy]'), {}, config.config));
    assert.equal(
      error.message,
      'goal.md: front matter.agents[1]: "memroy" is not an agent in swarm.json (did you mean "memory"?); agents: code, research, monitor, memory',
    );
    assert.equal(error.file, 'goal.md');
  });
});

describe('retargeting models', () => {
  it('--provider and --model move every agent, the orchestrator included', () => {
    const settings = resolveRunSettings(swarm, plainGoal(), { provider: 'ollama', model: 'qwen3:32b' }, config.config);
    for (const agent of [settings.orchestrator, ...settings.agents]) {
      assert.equal(agent.provider, 'ollama', agent.name);
      assert.equal(agent.model, 'qwen3:32b', agent.name);
    }
  });

  it('--model alone keeps each agent on its provider', () => {
    const settings = resolveRunSettings(swarm, plainGoal(), { model: 'openai/gpt-5-mini' }, config.config);
    assert.deepEqual(
      [settings.orchestrator, ...settings.agents].map((agent) => `${agent.provider}/${agent.model}`),
      [
        'openrouter/openai/gpt-5-mini',
        'openrouter/openai/gpt-5-mini',
        'openrouter/openai/gpt-5-mini',
        'openrouter/openai/gpt-5-mini',
        'openrouter/openai/gpt-5-mini',
      ],
    );
    assert.equal(
      resolveRunSettings(swarm, plainGoal(), {}, config.config).agents[0]?.model,
      'model-for-code',
      'without overrides each keeps its own',
    );
  });

  it('refuses an unknown --provider, listing the defined ones', () => {
    const error = configErrorOf(() => resolveRunSettings(swarm, plainGoal(), { provider: 'lmstudio' }, config.config));
    assert.equal(
      error.message,
      'command line: --provider: "lmstudio" is not a provider in the config; providers: openrouter, ollama',
    );
  });
});

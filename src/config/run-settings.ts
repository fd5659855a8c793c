import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { closestName } from '../text/name-suggestions.js';
import type { Config } from './config-schema.js';
import type { Goal } from './load-goal.js';
import type { AgentDefinition, LoadedSwarm, ModelRef } from './load-swarm.js';
import type { Limits } from './swarm-schema.js';

/** What the command line can override; it wins over the goal's front matter, which wins over swarm.json. */
export interface RunOverrides {
  mode?: 'hierarchical' | 'flat';
  agents?: string[];
  maxTurns?: number;
  maxBudgetUsd?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** Run every agent on this provider and/or model (e.g. a local Ollama). */
  provider?: string;
  model?: string;
}

export interface RunSettings {
  mode: 'hierarchical' | 'flat';
  orchestrator: AgentDefinition;
  /** Specialists in play, in swarm.json order. */
  agents: AgentDefinition[];
  flatOrder: string[];
  limits: Limits;
}

export function resolveRunSettings(
  swarm: LoadedSwarm,
  goal: Goal,
  overrides: RunOverrides,
  config: Config,
): RunSettings {
  const issues: ConfigIssue[] = [];
  const known = swarm.agents.map((agent) => agent.name);
  const listed = overrides.agents ?? goal.frontMatter.agents;
  const requested = listed ? [...new Set(listed)] : undefined;
  requested?.forEach((name, index) => {
    if (!known.includes(name)) {
      const suggestion = closestName(name, known);
      issues.push({
        path: overrides.agents ? '--agents' : `front matter.agents[${index}]`,
        message: `"${name}" is not an agent in ${swarm.label}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; agents: ${known.join(', ')}`,
      });
    }
  });
  // The team named in the goal is the goal file's problem, not the command line's.
  if (issues.length > 0 && !overrides.agents) throw new ConfigError(goal.label, issues);
  if (overrides.provider !== undefined && !(overrides.provider in config.providers)) {
    const providers = Object.keys(config.providers);
    const suggestion = closestName(overrides.provider, providers);
    issues.push({
      path: '--provider',
      message: `"${overrides.provider}" is not a provider in the config${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; providers: ${providers.join(', ')}`,
    });
  }
  if (issues.length > 0) throw new ConfigError('command line', issues);

  const team = new Set(requested ?? known);
  // --provider / --model put every agent on one model: its chain is that model alone.
  const retarget = (agent: AgentDefinition): AgentDefinition => ({
    ...agent,
    ...(overrides.provider !== undefined || overrides.model !== undefined
      ? single({ provider: overrides.provider ?? agent.provider, model: overrides.model ?? agent.model })
      : {}),
    canDelegateTo: agent.canDelegateTo.filter((name) => team.has(name)),
  });
  const agents = swarm.agents.filter((agent) => team.has(agent.name)).map(retarget);
  // Flat mode works in the order given on the command line (or in the goal), else swarm.json's.
  const flatOrder = requested ?? swarm.flatOrder;

  const front = goal.frontMatter;
  const limits: Limits = {
    ...swarm.limits,
    maxTurns: overrides.maxTurns ?? front.limits?.maxTurns ?? swarm.limits.maxTurns,
    maxBudgetUsd: overrides.maxBudgetUsd ?? front.budget?.usd ?? swarm.limits.maxBudgetUsd,
    maxTokens: overrides.maxTokens ?? front.budget?.tokens ?? swarm.limits.maxTokens,
    timeout: overrides.timeoutMs ?? front.budget?.time ?? swarm.limits.timeout,
    maxConcurrentDelegations: front.limits?.maxConcurrentDelegations ?? swarm.limits.maxConcurrentDelegations,
  };
  const mode = overrides.mode ?? front.mode ?? swarm.mode;
  if (mode === 'flat' && flatOrder.length === 0)
    throw new ConfigError('command line', [
      { path: '', message: 'flat mode needs at least one agent to work the goal' },
    ]);
  return { mode, orchestrator: retarget(swarm.orchestrator), agents, flatOrder, limits };
}

function single(ref: ModelRef): Pick<AgentDefinition, 'provider' | 'model' | 'chain'> {
  return { provider: ref.provider, model: ref.model, chain: [ref] };
}

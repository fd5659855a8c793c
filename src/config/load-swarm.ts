import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { closestName } from '../text/name-suggestions.js';
import type { Config } from './config-schema.js';
import { formatIssues } from './format-issues.js';
import { readJsonFile } from './json-file.js';
import { displayPath } from './load-config.js';
import { readProjectFile } from './read-project-file.js';
import { swarmSchema, type AgentFile, type AgentStuckLimits, type Limits, type ModelParams } from './swarm-schema.js';

export type AgentRole = 'orchestrator' | 'specialist';

/** One model on one configured provider. */
export interface ModelRef {
  provider: string;
  model: string;
}

/** An agent with everything resolved: prompt text loaded, delegation targets known to exist. */
export interface AgentDefinition {
  name: string;
  role: AgentRole;
  description: string;
  systemPrompt: string;
  /** The first entry of `chain`: the model the agent asks first. */
  provider: string;
  model: string;
  /** Its failover chain, in order (one entry for an agent with one model); every provider exists in config.json. */
  chain: ModelRef[];
  params: ModelParams;
  mcpServers: string[];
  tools: string[];
  deniedTools: string[];
  canDelegateTo: string[];
  maxTurns: number;
  /** Its own no-progress thresholds, over the run's limits.stuck. */
  stuck?: AgentStuckLimits;
}

export interface LoadedSwarm {
  file: string;
  label: string;
  mode: 'hierarchical' | 'flat';
  orchestrator: AgentDefinition;
  /** The specialists, in file order. */
  agents: AgentDefinition[];
  flatOrder: string[];
  limits: Limits;
  /** Problems that do not stop a run (e.g. a granted server that is disabled). */
  warnings: string[];
}

export interface LoadSwarmOptions {
  path: string;
  currentDirectory: string;
  config: Config;
  configLabel: string;
}

export const SWARM_MISSING_HINT = 'Run `mux-swarm init` to write a starter swarm.json, or pass --swarm <path>.';

export function loadSwarm(options: LoadSwarmOptions): LoadedSwarm {
  const file = resolve(options.currentDirectory, options.path);
  const label = displayPath(file, options.currentDirectory);
  const raw = readJsonFile(file, label, SWARM_MISSING_HINT);
  const parsed = swarmSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(label, formatIssues(parsed.error.issues, raw, swarmSchema));
  const swarm = parsed.data;

  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const specialistNames = swarm.agents.map((agent) => agent.name);
  const providerNames = Object.keys(options.config.providers);
  const serverNames = Object.keys(options.config.mcpServers);

  const seen = new Map<string, string>([[swarm.orchestrator.name, 'orchestrator']]);
  swarm.agents.forEach((agent, index) => {
    const previous = seen.get(agent.name);
    if (previous)
      issues.push({
        path: `agents[${index}].name`,
        message: `"${agent.name}" is already used by ${previous}; agent names must be unique`,
      });
    else seen.set(agent.name, `agents[${index}]`);
  });

  const resolveAgent = (
    agent: AgentFile | typeof swarm.orchestrator,
    path: string,
    role: AgentRole,
  ): AgentDefinition => {
    if (agent.provider !== undefined && !providerNames.includes(agent.provider)) {
      issues.push({
        path: `${path}.provider`,
        message: unknownName('provider', agent.provider, providerNames, options.configLabel, 'providers'),
      });
    }
    const chain = resolveChain(agent, path, providerNames, options.configLabel, issues);
    agent.mcpServers.forEach((server, index) => {
      if (!serverNames.includes(server)) {
        issues.push({
          path: `${path}.mcpServers[${index}]`,
          message: unknownName('MCP server', server, serverNames, options.configLabel, 'mcpServers'),
        });
      } else if (options.config.mcpServers[server]?.enabled === false) {
        warnings.push(
          `${label}: ${path}.mcpServers[${index}]: server "${server}" is disabled in ${options.configLabel}; ${agent.name} will not get its tools`,
        );
      }
    });
    const defaultTargets = role === 'orchestrator' ? specialistNames : [];
    const canDelegateTo = agent.canDelegateTo ?? defaultTargets;
    canDelegateTo.forEach((target, index) => {
      const targetPath = `${path}.canDelegateTo[${index}]`;
      if (target === agent.name) issues.push({ path: targetPath, message: `an agent cannot delegate to itself` });
      else if (target === swarm.orchestrator.name)
        issues.push({ path: targetPath, message: `agents cannot delegate to the orchestrator "${target}"` });
      else if (!specialistNames.includes(target))
        issues.push({ path: targetPath, message: unknownName('agent', target, specialistNames, label, 'agents') });
    });
    return {
      name: agent.name,
      role,
      description: agent.description,
      systemPrompt: loadPrompt(agent, path, file, issues),
      provider: chain[0]?.provider ?? '',
      model: chain[0]?.model ?? '',
      chain,
      params: agent.params,
      mcpServers: agent.mcpServers,
      tools: agent.tools,
      deniedTools: agent.deniedTools,
      canDelegateTo,
      maxTurns: agent.maxTurns,
      ...(agent.stuck ? { stuck: agent.stuck } : {}),
    };
  };

  const orchestrator = resolveAgent(swarm.orchestrator, 'orchestrator', 'orchestrator');
  const agents = swarm.agents.map((agent, index) => resolveAgent(agent, `agents[${index}]`, 'specialist'));

  const flatOrder = swarm.flatOrder ?? specialistNames;
  (swarm.flatOrder ?? []).forEach((name, index) => {
    if (!specialistNames.includes(name))
      issues.push({
        path: `flatOrder[${index}]`,
        message: unknownName('agent', name, specialistNames, label, 'agents'),
      });
  });
  if (swarm.mode === 'flat' && flatOrder.length === 0) {
    issues.push({ path: 'agents', message: 'flat mode needs at least one agent to work the goal' });
  }

  if (issues.length > 0) throw new ConfigError(label, issues);
  return { file, label, mode: swarm.mode, orchestrator, agents, flatOrder, limits: swarm.limits, warnings };
}

/**
 * The agent's models in order. One model is on `provider` as written (its id may hold slashes: "openai/gpt-5" on
 * openrouter). In a list, an entry whose first segment is a provider of config.json is "provider/model"; any other
 * string is a model on the agent's `provider`.
 */
function resolveChain(
  agent: Pick<AgentFile, 'provider' | 'model'>,
  path: string,
  providerNames: string[],
  configLabel: string,
  issues: ConfigIssue[],
): ModelRef[] {
  if (typeof agent.model === 'string') {
    if (agent.provider === undefined) {
      issues.push({
        path: `${path}.provider`,
        message: `is required with one model; or give "model" as a list of "provider/model" entries (providers: ${providerNames.join(', ')})`,
      });
      return [];
    }
    return [{ provider: agent.provider, model: agent.model }];
  }
  const chain: ModelRef[] = [];
  agent.model.forEach((entry, index) => {
    const entryPath = `${path}.model[${index}]`;
    let ref: ModelRef | undefined;
    if (typeof entry !== 'string') {
      if (providerNames.includes(entry.provider)) ref = entry;
      else
        issues.push({
          path: `${entryPath}.provider`,
          message: unknownName('provider', entry.provider, providerNames, configLabel, 'providers'),
        });
    } else {
      const slash = entry.indexOf('/');
      const named = slash > 0 ? entry.slice(0, slash) : undefined;
      if (named !== undefined && providerNames.includes(named) && slash < entry.length - 1)
        ref = { provider: named, model: entry.slice(slash + 1) };
      else if (agent.provider !== undefined) ref = { provider: agent.provider, model: entry };
      else {
        const suggestion = named === undefined ? undefined : closestName(named, providerNames);
        issues.push({
          path: entryPath,
          message: `"${entry}" names no provider of ${configLabel}${suggestion ? ` (did you mean "${suggestion}/${entry.slice(slash + 1)}"?)` : ''}: write "provider/model" with one of ${providerNames.join(', ')}, or set ${path}.provider for entries without one`,
        });
      }
    }
    if (ref === undefined) return;
    if (chain.some((known) => known.provider === ref.provider && known.model === ref.model))
      issues.push({ path: entryPath, message: `"${ref.provider}/${ref.model}" is already in this chain` });
    else chain.push(ref);
  });
  return chain;
}

function unknownName(kind: string, name: string, known: string[], file: string, section: string): string {
  const suggestion = closestName(name, known);
  const listing = known.length > 0 ? `defined: ${known.join(', ')}` : `none is defined`;
  return `"${name}" is not ${kind === 'agent' || kind === 'MCP server' ? 'an' : 'a'} ${kind} in ${file} ${section}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ${listing}`;
}

function loadPrompt(
  agent: AgentFile | { name: string; description: string; systemPrompt?: string; systemPromptFile?: string },
  path: string,
  swarmFile: string,
  issues: ConfigIssue[],
): string {
  if (agent.systemPrompt !== undefined && agent.systemPromptFile !== undefined) {
    issues.push({ path, message: 'give either systemPrompt (inline) or systemPromptFile (a path), not both' });
    return agent.systemPrompt;
  }
  if (agent.systemPromptFile !== undefined) {
    const project = dirname(swarmFile);
    const promptPath = resolve(project, agent.systemPromptFile);
    const fieldPath = `${path}.systemPromptFile`;
    if (!isInside(project, promptPath)) {
      issues.push({
        path: fieldPath,
        message: `"${agent.systemPromptFile}" leads outside the project (${project}); a prompt file must be inside the directory of the swarm file: copy it there, or write the prompt inline as systemPrompt`,
      });
      return '';
    }
    // A link inside the project may still lead out of it: where the file really is counts, and is checked before reading.
    const target = realPath(promptPath);
    if (target !== undefined && !isInside(realPath(project) ?? project, target)) {
      issues.push({
        path: fieldPath,
        message: `"${agent.systemPromptFile}" is a link to ${target}, outside the project (${project}); copy the prompt into the project, or write it inline as systemPrompt`,
      });
      return '';
    }
    const read = readProjectFile(promptPath);
    if (!read.ok) {
      issues.push({
        path: fieldPath,
        message:
          read.code === 'ENOENT'
            ? `cannot read ${promptPath} (ENOENT); paths are relative to the swarm file`
            : read.problem,
      });
      return '';
    }
    return read.text;
  }
  return agent.systemPrompt ?? `You are the ${agent.name} agent. ${agent.description}`;
}

/** Whether `path` is `directory` itself or lies beneath it (paths already absolute). */
function isInside(directory: string, path: string): boolean {
  const inside = relative(directory, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
}

/** Where a path really is, links resolved; undefined when it does not exist. */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

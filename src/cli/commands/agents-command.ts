import type { Command } from 'commander';
import type { AgentDefinition } from '../../config/load-swarm.js';
import type { ToolHub } from '../../tools/tool-hub.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { ProjectOptions } from '../project.js';
import { formatTable } from '../table.js';

interface AgentsOptions extends ProjectOptions {
  json?: boolean;
  connect: boolean;
}

export function registerAgentsCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('agents')
    .description('the team: each agent, its model, the tools it will get, and whom it can delegate to')
    .option('--json', 'machine-readable output')
    .option('--no-connect', 'do not start MCP servers: show granted servers and patterns only');
  addProjectOptions(command).action(async (options: AgentsOptions) => {
    const [{ loadProject }, { withInspectionHub }] = await Promise.all([import('../project.js'), import('../inspection-hub.js')]);
    const { config, swarm } = loadProject(options);
    const team = [swarm.orchestrator, ...swarm.agents];
    const describe = (hub: ToolHub | undefined) =>
      team.map((agent) => ({
        name: agent.name,
        role: agent.role,
        provider: agent.provider,
        model: agent.model,
        chain: agent.chain.map((ref) => `${ref.provider}/${ref.model}`),
        tools: hub ? hub.toolsFor(agent).map((tool) => tool.exposedName) : undefined,
        grants: { mcpServers: agent.mcpServers, tools: agent.tools, deniedTools: agent.deniedTools },
        canDelegateTo: agent.canDelegateTo,
        maxTurns: agent.maxTurns,
      }));
    const rows = options.connect ? await withInspectionHub(config, async (hub) => ({ agents: describe(hub), failed: hub.statuses.filter((status) => status.status === 'failed') })) : { agents: describe(undefined), failed: [] };
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ mode: swarm.mode, agents: rows.agents, failedServers: rows.failed }, null, 2)}\n`);
    } else {
      process.stdout.write(`${swarm.label}: ${swarm.mode} mode\n\n`);
      process.stdout.write(
        `${formatTable(
          ['agent', 'model', 'tools', 'delegates to'],
          rows.agents.map((agent, index) => [agent.name, `${agent.provider}/${agent.model}${agent.chain.length > 1 ? ` (+${agent.chain.length - 1} failover)` : ''}`, summariseTools(team[index]!, agent.tools), agent.canDelegateTo.join(', ') || '—']),
        )}\n`,
      );
      for (const server of rows.failed) process.stderr.write(`warning: MCP server ${server.name} did not start; its tools are missing above: ${server.error?.split('\n')[0] ?? ''}\n`);
    }
    outcome.exitCode = 0;
  });
}

/** `fs (14), shell (1)` per server; single tools by name when only some of a server's are granted. */
function summariseTools(agent: AgentDefinition, tools: string[] | undefined): string {
  if (!tools) {
    const grants = [...agent.mcpServers.map((server) => `${server} (all)`), ...agent.tools];
    return grants.length > 0 ? grants.join(', ') : 'none';
  }
  if (tools.length === 0) return 'none';
  const byServer = new Map<string, string[]>();
  for (const tool of tools) {
    const server = tool.split('__')[0]!;
    byServer.set(server, [...(byServer.get(server) ?? []), tool]);
  }
  return [...byServer]
    .map(([server, names]) => (agent.mcpServers.includes(server) ? `${server} (${names.length})` : names.join(', ')))
    .join(', ');
}

import type { Command } from 'commander';
import type { AgentDefinition } from '../../config/load-swarm.js';
import type { ToolHub } from '../../tools/tool-hub.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { ProjectOptions } from '../project.js';
import { formatTable, wrapList } from '../table.js';

interface AgentsOptions extends ProjectOptions {
  json?: boolean;
  connect: boolean;
  wide?: boolean;
}

/** The width the table fits when the terminal says none (output piped to a file or a pager). */
const DEFAULT_COLUMNS = 100;

export function registerAgentsCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('agents')
    .description('the team: each agent, its model, the tools it will get, and whom it can delegate to')
    .option('--json', 'machine-readable output')
    .option('--no-connect', 'do not start MCP servers: show granted servers and patterns only')
    .option('--wide', "name every tool granted singly, and do not wrap to the terminal's width");
  addProjectOptions(command).action(async (options: AgentsOptions) => {
    const [{ loadProject }, { withInspectionHub }] = await Promise.all([
      import('../project.js'),
      import('../inspection-hub.js'),
    ]);
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
    const serverSizes = (hub: ToolHub): Map<string, number> => {
      const sizes = new Map<string, number>();
      for (const tool of hub.tools())
        sizes.set(serverOf(tool.exposedName), (sizes.get(serverOf(tool.exposedName)) ?? 0) + 1);
      return sizes;
    };
    const rows = options.connect
      ? await withInspectionHub(config, async (hub) => ({
          agents: describe(hub),
          failed: hub.statuses.filter((status) => status.status === 'failed'),
          sizes: serverSizes(hub),
        }))
      : { agents: describe(undefined), failed: [], sizes: new Map<string, number>() };
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ mode: swarm.mode, agents: rows.agents, failedServers: rows.failed }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(`${swarm.label}: ${swarm.mode} mode\n\n`);
      const cells = rows.agents.map((agent, index) => ({
        name: agent.name,
        model: `${agent.provider}/${agent.model}${agent.chain.length > 1 ? ` (+${agent.chain.length - 1} failover)` : ''}`,
        tools: summariseTools(team[index]!, agent.tools, rows.sizes, options.wide === true),
        delegates: agent.canDelegateTo.length > 0 ? agent.canDelegateTo : ['—'],
      }));
      // Without --wide the tools and delegates columns wrap, so that the table fits the terminal (100 columns when piped).
      const columns = options.wide
        ? Number.POSITIVE_INFINITY
        : process.stdout.isTTY && process.stdout.columns
          ? process.stdout.columns
          : DEFAULT_COLUMNS;
      const fixed =
        Math.max(5, ...cells.map((cell) => cell.name.length)) +
        Math.max(5, ...cells.map((cell) => cell.model.length)) +
        3 * 2;
      const left = Math.max(40, columns - fixed);
      const delegatesWidth = Math.min(
        Math.max(12, ...cells.map((cell) => cell.delegates.join(', ').length)),
        Math.max(12, Math.floor(left * 0.35)),
      );
      const toolsWidth = Math.max(20, left - delegatesWidth);
      process.stdout.write(
        `${formatTable(
          ['agent', 'model', 'tools', 'delegates to'],
          cells.map((cell) => [
            cell.name,
            cell.model,
            wrapList(cell.tools, toolsWidth),
            wrapList(cell.delegates, delegatesWidth),
          ]),
        )}\n`,
      );
      for (const server of rows.failed)
        process.stderr.write(
          `warning: MCP server ${server.name} did not start; its tools are missing above: ${server.error?.split('\n')[0] ?? ''}\n`,
        );
    }
    outcome.exitCode = 0;
  });
}

/**
 * The agent's tools, one item per server: `fs (14)` for a server granted whole, `fs (6 of 14)` for part of one; with
 * `wide`, the tools of a part-granted server by name. Unconnected (`--no-connect`), the grants as written.
 */
function summariseTools(
  agent: AgentDefinition,
  tools: string[] | undefined,
  serverSizes: Map<string, number>,
  wide: boolean,
): string[] {
  if (!tools) {
    const grants = [...agent.mcpServers.map((server) => `${server} (all)`), ...agent.tools];
    return grants.length > 0 ? grants : ['none'];
  }
  if (tools.length === 0) return ['none'];
  const byServer = new Map<string, string[]>();
  for (const tool of tools) {
    const server = serverOf(tool);
    byServer.set(server, [...(byServer.get(server) ?? []), tool]);
  }
  return [...byServer].flatMap(([server, names]) => {
    const size = serverSizes.get(server);
    if (agent.mcpServers.includes(server) || names.length === size) return [`${server} (${names.length})`];
    if (wide) return names;
    return [`${server} (${names.length}${size !== undefined ? ` of ${size}` : ''})`];
  });
}

function serverOf(exposedName: string): string {
  return exposedName.split('__')[0]!;
}

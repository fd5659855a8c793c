import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AgentDefinition } from '../../../config/load-swarm.js';
import { isToolGranted } from '../../../tools/tool-grant.js';
import type { HubTool, ServerStatus } from '../../../tools/tool-hub.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { addProjectOptions } from '../../common-options.js';
import type { ProjectOptions } from '../../project.js';
import { formatTable } from '../../table.js';

interface McpListOptions extends ProjectOptions {
  json?: boolean;
}

interface ListedServer extends ServerStatus {
  tools: number;
  toolList: Array<{ name: string; exposedName: string; description: string; agents: string[] }>;
}

/**
 * Starts every enabled server (each treated as optional, so one failure does not hide the others), and shows its
 * state, its tools and which agents of swarm.json get each. Exit code 1 when a required server did not start.
 */
export function registerMcpListCommand(mcp: Command, outcome: CommandOutcome): void {
  const command = mcp
    .command('list')
    .description('each configured MCP server: its state, its tools, and which agents get each tool')
    .option('--json', 'machine-readable output');
  addProjectOptions(command).action(async (options: McpListOptions) => {
    const [{ loadConfig }, { loadSwarm }, { withInspectionHub }] = await Promise.all([
      import('../../../config/load-config.js'),
      import('../../../config/load-swarm.js'),
      import('../../inspection-hub.js'),
    ]);
    const config = loadConfig({
      path: options.config,
      environment: process.env,
      currentDirectory: process.cwd(),
      workdirOverride: options.workdir,
    });
    // swarm.json is optional here: without it the servers are still worth seeing.
    const swarmPresent = existsSync(resolve(process.cwd(), options.swarm));
    const team = swarmPresent
      ? (({ orchestrator, agents }) => [orchestrator, ...agents])(
          loadSwarm({
            path: options.swarm,
            currentDirectory: process.cwd(),
            config: config.config,
            configLabel: config.label,
          }),
        )
      : undefined;
    const servers = await withInspectionHub(config, async (hub) =>
      // The look starts every server as optional; what matters here is what config.json says.
      hub.statuses.map((status) =>
        listServer(
          { ...status, optional: config.config.mcpServers[status.name]?.optional ?? false },
          hub.tools(),
          team,
        ),
      ),
    );

    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ servers: servers.map(({ toolList, ...status }) => ({ ...status, tools: toolList })) }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(`${renderServers(servers, team !== undefined)}\n`);
      if (!team) process.stderr.write(`note: ${options.swarm} not found, so which agents get each tool is not shown\n`);
    }
    const requiredDown = servers.filter(
      (server) => server.status === 'failed' && !config.config.mcpServers[server.name]?.optional,
    );
    outcome.exitCode = requiredDown.length > 0 ? 1 : 0;
  });
}

function listServer(status: ServerStatus, tools: HubTool[], team: AgentDefinition[] | undefined): ListedServer {
  return {
    ...status,
    toolList: tools
      .filter((tool) => tool.server === status.name)
      .map((tool) => ({
        name: tool.tool,
        exposedName: tool.exposedName,
        description: firstLine(tool.description),
        agents: team
          ? team.filter((agent) => isToolGranted(agent, tool.server, tool.exposedName)).map((agent) => agent.name)
          : [],
      })),
  };
}

function renderServers(servers: ListedServer[], showAgents: boolean): string {
  if (servers.length === 0) return 'No MCP servers are configured (config.json has no "mcpServers").';
  const summary = formatTable(
    ['server', 'state', 'transport', 'tools', 'note'],
    servers.map((server) => [server.name, server.status, server.transport ?? '—', String(server.tools), note(server)]),
  );
  const sections = servers
    .filter((server) => server.toolList.length > 0)
    .map((server) => {
      const header = showAgents ? ['tool', 'agents', 'description'] : ['tool', 'description'];
      const rows = server.toolList.map((tool) =>
        showAgents
          ? [tool.exposedName, tool.agents.join(', ') || '—', clip(tool.description)]
          : [tool.exposedName, clip(tool.description)],
      );
      return `\n${server.name}:\n${formatTable(header, rows)}`;
    });
  return [summary, ...sections].join('\n');
}

function note(server: ListedServer): string {
  if (server.error) return firstLine(server.error);
  return server.optional ? 'optional' : '';
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

function clip(text: string, width = 72): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

import type { Command } from 'commander';
import { countText } from '../../events/count-text.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { ProjectOptions } from '../project.js';
import { shownPath } from '../shown-path.js';

export function registerValidateCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('validate')
    .description('check config.json, swarm.json (and goal files) without starting anything')
    .argument('[goals...]', 'goal files to check too');
  addProjectOptions(command).action(async (goals: string[], options: ProjectOptions) => {
    const [{ loadProject }, { checkCatalogueProviders }, { loadGoalFile }, { resolveRunSettings }] = await Promise.all([
      import('../project.js'),
      import('../../providers/price-check.js'),
      import('../../config/load-goal.js'),
      import('../../config/run-settings.js'),
    ]);
    const { config, swarm } = loadProject(options);
    // Loads the price catalogue only when some provider names a `catalogue` id: validate stays quick otherwise.
    await checkCatalogueProviders(config.config, config.label, Object.keys(config.config.providers));
    const servers = Object.values(config.config.mcpServers);
    process.stdout.write(
      `${config.label}: ok (${countText(Object.keys(config.config.providers).length, 'provider')}, ${servers.filter((server) => server.enabled).length} of ${countText(servers.length, 'MCP server')} enabled, workdir ${shownPath(config.workdir)})\n`,
    );
    process.stdout.write(
      `${swarm.label}: ok (${swarm.mode}, ${swarm.orchestrator.name} + ${countText(swarm.agents.length, 'agent')}: ${swarm.agents.map((agent) => agent.name).join(', ')})\n`,
    );
    for (const path of goals) {
      const goal = loadGoalFile(path, process.cwd());
      // What run checks of a goal against the team (its front matter's agents, its mode), validate checks too.
      resolveRunSettings(swarm, goal, {}, config.config);
      process.stdout.write(`${goal.label}: ok ("${goal.name}")\n`);
    }
    for (const warning of swarm.warnings) process.stderr.write(`warning: ${warning}\n`);
    outcome.exitCode = 0;
  });
}

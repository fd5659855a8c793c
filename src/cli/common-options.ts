import { InvalidArgumentError, type Command } from 'commander';

/** --config, --swarm, --workdir: how every project-reading command finds its files. */
export function addProjectOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', 'infrastructure: providers, MCP servers, filesystem bounds', 'config.json')
    .option('-s, --swarm <path>', 'behaviour: agents, models, tools, delegation, limits', 'swarm.json')
    .option('-w, --workdir <dir>', 'where agents work (overrides filesystem.workdir in the config)');
}

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
}

export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must name at least one agent, e.g. code,research');
  return items;
}

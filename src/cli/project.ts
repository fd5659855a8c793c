import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { loadSwarm, type LoadedSwarm } from '../config/load-swarm.js';

/** Options every command that reads the project takes. */
export interface ProjectOptions {
  config: string;
  swarm: string;
  workdir?: string;
}

export interface Project {
  config: LoadedConfig;
  swarm: LoadedSwarm;
}

export function loadProject(
  options: ProjectOptions,
  environment: NodeJS.ProcessEnv = process.env,
  currentDirectory = process.cwd(),
): Project {
  const config = loadConfig({ path: options.config, environment, currentDirectory, workdirOverride: options.workdir });
  const swarm = loadSwarm({ path: options.swarm, currentDirectory, config: config.config, configLabel: config.label });
  return { config, swarm };
}

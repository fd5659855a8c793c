import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import type { BuiltinContext } from '../tools/builtin-servers.js';
import { userStoreDirectory } from '../failures/failure-memory.js';

/**
 * Where built-in servers work for this project, with large outputs and job logs going to `spillDirectory`. The
 * workdir is mux-swarm's own (config.json `filesystem.workdir`, `workspace` in a new project): it is created here, for
 * every command that starts the servers (`run`, `mcp list`, `status`, …), so that the filesystem server finds its root.
 * Other allowed roots are the user's, and a missing one stays an error.
 */
export function builtinContextFor(
  config: LoadedConfig,
  spillDirectory: string,
  environment: NodeJS.ProcessEnv = process.env,
): BuiltinContext {
  mkdirSync(config.workdir, { recursive: true });
  return {
    workdir: config.workdir,
    allowedRoots: config.allowedRoots,
    spillDirectory,
    projectDirectory: dirname(config.file),
    stateDirectory: config.stateDirectory,
    environment,
    sandbox: config.config.sandbox,
    userMemory: {
      ...(config.config.memory.shareWithUserStore
        ? { userStoreDirectory: userStoreDirectory(config.config.memory, environment, dirname(config.file)) }
        : {}),
      shareGraph: config.config.memory.shareGraph,
      secrets: config.scrubber,
    },
    scrubber: config.scrubber,
  };
}

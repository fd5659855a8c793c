import { dirname } from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import type { BuiltinContext } from '../tools/builtin-servers.js';
import { userStoreDirectory } from '../state/failure-memory.js';

/** Where built-in servers work for this project, with large outputs and job logs going to `spillDirectory`. */
export function builtinContextFor(config: LoadedConfig, spillDirectory: string, environment: NodeJS.ProcessEnv = process.env): BuiltinContext {
  return {
    workdir: config.workdir,
    allowedRoots: config.allowedRoots,
    spillDirectory,
    projectDirectory: dirname(config.file),
    stateDirectory: config.stateDirectory,
    environment,
    failureMemory: {
      ...(config.config.memory.shareWithUserStore ? { userStoreDirectory: userStoreDirectory(config.config.memory, environment, dirname(config.file)) } : {}),
      secrets: config.secrets,
    },
  };
}

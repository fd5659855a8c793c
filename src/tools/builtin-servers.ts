import { SHIPPED_SKILLS_DIRECTORY } from '../servers/skills/shipped-skills.js';
import { dirname, join, resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { BuiltinServerConfig, GraphSharing, SandboxSettings, ServerSandbox } from '../config/config-schema.js';
import type { SandboxNetwork } from '../supervisor/sandbox/sandbox-request.js';
import { builtinConfinement } from './builtin-confinement.js';
import { resolveHomePath } from '../config/home-path.js';
import { DATABASE_FILE } from '../state/database.js';
import { createFetchServer } from '../servers/fetch/fetch-server.js';
import { createFilesystemServer } from '../servers/filesystem/filesystem-server.js';
import { createMemoryServer } from '../servers/memory/memory-server.js';
import { createPythonServer } from '../servers/python/python-server.js';
import { createShellServer } from '../servers/shell/shell-server.js';
import { createSkillsServer } from '../servers/skills/skills-server.js';
import { createTrainingServer } from '../servers/training/training-server.js';
import type { RunEventInput } from '../events/event-schema.js';
import type { KnownSecrets, SecretScrubber } from '../logging/secret-scrubber.js';

export { BUILTIN_SERVER_NAMES, type BuiltinServerName } from '../config/config-schema.js';

/** What built-in servers need to know about the place they work in. */
export interface BuiltinContext {
  workdir: string;
  allowedRoots: string[];
  /** Where servers may write large outputs and job logs (a run's spill directory). */
  spillDirectory: string;
  /** The directory of config.json: the project's `skills/` is there. */
  projectDirectory: string;
  /** The state directory; the memory graph lives in its database. */
  stateDirectory: string;
  /** mux-swarm's own environment (passEnv is read from it, the home directory found in it); default process.env. */
  environment?: NodeJS.ProcessEnv;
  /**
   * The user store (memory.db) the memory server shares with every workdir — its directory when sharing is on, how
   * much of the knowledge graph goes to it (config memory.shareGraph) — and the secrets kept out of every store.
   */
  userMemory?: { userStoreDirectory?: string; shareGraph?: GraphSharing; secrets?: KnownSecrets };
  /** config.json `sandbox`: where shell commands, Python and training jobs run confined; undefined: unconfined. */
  sandbox?: SandboxSettings;
  /**
   * The process's secret scrubber: the files servers write themselves (shell and python output spills, the stored
   * copy of a python snippet, training job records) are scrubbed with it. Absent: written as they are.
   */
  scrubber?: SecretScrubber;
  /** The run the servers serve, when there is one: training jobs are recorded under it and report to its events. */
  run?: {
    id: string;
    directory: string;
    emit: (event: RunEventInput) => void;
    /** True once the run is stopping to be resumed (a provider outage): training jobs are left running for the resume. */
    stoppingToResume?: () => boolean;
  };
}

/**
 * Creates the McpServer for a built-in entry of config.json. Servers that hold resources (a database, running
 * jobs) release them when the server is closed.
 */
export async function createBuiltinServer(entry: BuiltinServerConfig, context: BuiltinContext): Promise<McpServer> {
  const environment = context.environment ?? process.env;
  const confinement = (own: ServerSandbox | undefined, network: SandboxNetwork) => {
    const request = builtinConfinement(context.sandbox, own, network, {
      workdir: context.workdir,
      stateDirectory: context.stateDirectory,
      environment,
      projectDirectory: context.projectDirectory,
    });
    return request === undefined ? {} : { confinement: request };
  };
  switch (entry.builtin) {
    case 'filesystem':
      return createFilesystemServer({
        roots: entry.options.roots?.map((root) => resolve(context.workdir, root)) ?? context.allowedRoots,
        readOnly: entry.options.readOnly,
      });
    case 'shell':
      return createShellServer({
        workdir: context.workdir,
        spillDir: context.spillDirectory,
        environment,
        ...entry.options,
        ...confinement(entry.options.sandbox, 'none'),
        ...scrubbing(context),
      });
    case 'python':
      // A configured interpreter's environment (a venv, perhaps under $HOME) stays visible inside.
      return createPythonServer({
        workdir: context.workdir,
        spillDir: context.spillDirectory,
        environment,
        ...entry.options,
        ...confinement(withInterpreter(entry.options.sandbox, entry.options.interpreter, context.workdir), 'none'),
        ...scrubbing(context),
      });
    case 'fetch':
      return createFetchServer(entry.options);
    case 'memory':
      return createMemoryServer({
        databasePath: entry.options.database
          ? resolve(context.workdir, entry.options.database)
          : join(context.stateDirectory, DATABASE_FILE),
        ...context.userMemory,
        fixes: entry.options.fixes,
      });
    case 'skills':
      return createSkillsServer({
        directories: [
          join(context.projectDirectory, 'skills'),
          join(context.workdir, '.agents', 'skills'),
          ...entry.options.directories.map((directory) => resolve(context.projectDirectory, directory)),
          resolveHomePath(entry.options.userDirectory ?? '~/.mux-swarm/skills', environment),
          ...(entry.options.shipped ? [SHIPPED_SKILLS_DIRECTORY] : []),
        ],
        environment,
      });
    case 'training':
      return createTrainingServer({
        ...entry.options,
        workdir: context.workdir,
        runDirectory: context.run?.directory ?? context.spillDirectory,
        stateDirectory: context.stateDirectory,
        runId: context.run?.id ?? '',
        ...confinement(entry.options.sandbox, 'host'),
        ...(context.run === undefined ? {} : { emit: context.run.emit }),
        ...(context.run?.stoppingToResume === undefined ? {} : { stoppingToResume: context.run.stoppingToResume }),
        environment,
        ...scrubbing(context),
      });
  }
}

/** A python server's sandbox with its interpreter's environment (`<venv>/bin/python` → `<venv>`) read-only. */
function withInterpreter(
  own: ServerSandbox | undefined,
  interpreter: string,
  workdir: string,
): ServerSandbox | undefined {
  if (!interpreter.includes('/')) return own;
  const environmentRoot = dirname(dirname(resolve(workdir, interpreter)));
  return { ...own, readOnly: [...(own?.readOnly ?? []), environmentRoot] };
}

/** The context's scrubber as a server option, when there is one. */
function scrubbing(context: BuiltinContext): { scrubber?: SecretScrubber } {
  return context.scrubber === undefined ? {} : { scrubber: context.scrubber };
}

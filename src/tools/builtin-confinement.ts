import { join } from 'node:path';
import type { SandboxSettings, ServerSandbox } from '../config/config-schema.js';
import { resolveHomePath } from '../config/home-path.js';
import type { SandboxNetwork, SandboxRequest } from '../supervisor/sandbox/sandbox-request.js';

/** Where a Hugging Face cache is written when HF_HOME does not say: shared by every sandboxed trainer. */
const DEFAULT_HF_CACHE = '~/.cache/huggingface';
/** The user's own skills (the skills server's default userDirectory), whose scripts agents run. */
const USER_SKILLS = '~/.mux-swarm/skills';

/**
 * The sandbox request of a built-in server that runs code (shell, python, training): config.json `sandbox`, with the
 * server's own `sandbox` option over it; undefined when there is no sandbox setting (a server started outside a
 * project) or the backend is "none". Paths are relative to the workdir, `~` is the home directory; the HF cache
 * (HF_HOME, else ~/.cache/huggingface) is writable, so models downloaded once stay downloaded.
 */
export function builtinConfinement(
  settings: SandboxSettings | undefined,
  own: ServerSandbox | undefined,
  defaultNetwork: SandboxNetwork,
  context: { workdir: string; stateDirectory: string; environment: NodeJS.ProcessEnv; projectDirectory?: string },
): SandboxRequest | undefined {
  if (settings === undefined) return undefined;
  const backend = own?.backend ?? settings.backend;
  if (backend === 'none') return undefined;
  const path = (entry: string) => resolveHomePath(entry, context.environment, context.workdir);
  return {
    backend,
    network: own?.network ?? defaultNetwork,
    workdir: context.workdir,
    stateDirectory: context.stateDirectory,
    // The project's skills/ (next to config.json) and the user's skills stay readable wherever they are.
    readOnly: [
      ...(context.projectDirectory === undefined ? [] : [join(context.projectDirectory, 'skills')]),
      ...[USER_SKILLS, ...settings.readOnly, ...(own?.readOnly ?? [])].map(path),
    ],
    writable: [context.environment.HF_HOME ?? DEFAULT_HF_CACHE, ...settings.writable, ...(own?.writable ?? [])].map(
      path,
    ),
    environment: context.environment,
    limits: processLimits({ ...settings.limits, ...own?.limits }),
  };
}

function processLimits(limits: { processes?: number; memoryMb?: number }): {
  processes?: number;
  memoryBytes?: number;
} {
  return {
    ...(limits.processes === undefined ? {} : { processes: limits.processes }),
    ...(limits.memoryMb === undefined ? {} : { memoryBytes: limits.memoryMb * 1024 * 1024 }),
  };
}

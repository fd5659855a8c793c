import type { LoadedConfig } from '../config/load-config.js';
import { ConfigError } from '../errors/config-error.js';
import { probeSandbox, type SandboxAvailability } from '../supervisor/sandbox/sandbox-probe.js';

/** Where the code agents run stands: the backend config.json asks for, whether it works here, what confines. */
export interface SandboxStanding extends SandboxAvailability {
  backend: 'auto' | 'bwrap' | 'none';
  /** Shell commands, Python and training jobs run confined. */
  confined: boolean;
  /** Said loudly at start and in `status` when code runs unconfined although the backend is "auto". */
  warning?: string;
}

/** The built-in servers that run agents' code. */
const CODE_SERVERS = new Set<string>(['shell', 'python', 'training']);

/**
 * Checks the sandbox before anything runs: a backend "bwrap" (config.json `sandbox.backend`, or a code server's own
 * `sandbox.backend`) that does not work on this machine is a ConfigError (exit 2) naming where it was asked for and
 * why it fails; "auto" where bubblewrap does not work runs unconfined with a warning. "none" probes nothing.
 */
export async function checkSandbox(
  config: LoadedConfig,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<SandboxStanding> {
  const backend = config.config.sandbox.backend;
  const explicit = explicitBwrap(config);
  if (backend === 'none' && explicit.length === 0) return { backend, usable: false, confined: false, gpuDevices: [] };
  const availability = await probeSandbox(environment);
  if (!availability.usable && explicit.length > 0) {
    throw new ConfigError(
      config.label,
      explicit.map((path) => ({
        path,
        message: `"bwrap" is asked for, but the sandbox cannot be used here: ${availability.reason}`,
      })),
      'Install bubblewrap, or set the backend to "auto" (runs unconfined, with a warning, where it does not work) or "none".',
    );
  }
  if (availability.usable) return { ...availability, backend, confined: backend !== 'none' };
  return {
    ...availability,
    backend,
    confined: false,
    warning: `the sandbox is off (${availability.reason}): shell commands, Python and training jobs run unconfined, with this user's files, network and processes in reach`,
  };
}

/** JSON paths where "bwrap" is asked for explicitly. */
function explicitBwrap(config: LoadedConfig): string[] {
  const paths = config.config.sandbox.backend === 'bwrap' ? ['sandbox.backend'] : [];
  for (const [name, entry] of Object.entries(config.config.mcpServers)) {
    if (!('builtin' in entry) || !CODE_SERVERS.has(entry.builtin) || entry.enabled === false) continue;
    const own = (entry.options as { sandbox?: { backend?: string } }).sandbox;
    if (own?.backend === 'bwrap') paths.push(`mcpServers.${name}.options.sandbox.backend`);
  }
  return paths;
}

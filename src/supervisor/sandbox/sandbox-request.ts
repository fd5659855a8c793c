import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { PACKAGE_ROOT } from '../../config/package-root.js';
import type { Sandbox } from './sandbox.js';
import type { ProcessLimits } from './cgroup-limits.js';
import { probeSandbox } from './sandbox-probe.js';
import { egressSocketFor } from './egress-proxy.js';

/** The installation of mux-swarm. */
const MUX_SWARM_ROOT = PACKAGE_ROOT;

export type SandboxBackend = 'auto' | 'bwrap' | 'none';
export type SandboxNetwork = 'none' | 'host' | { allow: string[] };

/** What a server asks of the sandbox for the code it runs (config.json `sandbox`, and the server's own `sandbox` option). */
export interface SandboxRequest {
  backend: SandboxBackend;
  network: SandboxNetwork;
  workdir: string;
  /** mux-swarm's state directory: read-only inside, even when it lies in the workdir. */
  stateDirectory?: string;
  /** More paths visible read-only (a venv under $HOME). */
  readOnly: readonly string[];
  /** More paths writable (an HF cache). */
  writable: readonly string[];
  /** Processes and memory for each launch and all it starts. */
  limits?: ProcessLimits;
  /** The home directory to hide; default the user's. */
  home?: string;
  environment?: NodeJS.ProcessEnv;
}

/**
 * The sandbox for one launch, or undefined to run it unconfined: backend "none", or "auto" where bubblewrap does not
 * work (the run warned about it at its start). "bwrap" where it does not work throws `sandbox_unavailable`.
 * `writableInside` names the paths the launch itself must write inside the state directory (a job's exit file).
 */
export async function sandboxFor(
  request: SandboxRequest,
  writableInside: readonly string[] = [],
): Promise<Sandbox | undefined> {
  if (request.backend === 'none') return undefined;
  const availability = await probeSandbox(request.environment);
  if (!availability.usable) {
    if (request.backend === 'auto') return undefined;
    throw new MuxSwarmError(
      'sandbox_unavailable',
      `the sandbox (backend "bwrap") cannot be used: ${availability.reason}; install bubblewrap, or set sandbox.backend to "auto" or "none" in config.json`,
    );
  }
  const home = request.home ?? request.environment?.HOME ?? homedir();
  return {
    writable: [resolve(request.workdir), ...request.writable],
    readOnly: [
      // mux-swarm's own installation (its skills and their scripts, its node_modules), wherever it is: under $HOME or /tmp
      // too — but never a directory that holds the home directory itself.
      ...(`${resolve(home)}/`.startsWith(`${MUX_SWARM_ROOT}/`) ? [] : [MUX_SWARM_ROOT]),
      ...toolDirectoriesInHome(home, request.environment?.PATH ?? process.env.PATH),
      ...(request.stateDirectory === undefined ? [] : [request.stateDirectory]),
      ...request.readOnly,
    ],
    writableInside,
    hidden: home === '/' || home === '' ? [] : [home],
    network:
      typeof request.network === 'object'
        ? { allow: request.network.allow, socket: await egressSocketFor(request.network.allow) }
        : request.network,
    ...(request.limits === undefined ? {} : { limits: request.limits }),
  };
}

/** For a tool call: the sandbox, undefined (unconfined), or why the configured sandbox cannot be used, as the error to return. */
export async function sandboxOrReason(request: SandboxRequest | undefined): Promise<Sandbox | undefined | string> {
  if (request === undefined) return undefined;
  try {
    return await sandboxFor(request);
  } catch (error) {
    if (error instanceof MuxSwarmError) return error.message;
    throw error;
  }
}

/**
 * The programs on PATH that live in the hidden home directory stay usable: for each PATH entry under it, its
 * installation read-only — the parent of a `bin` or `shims` directory (`~/.pyenv`, `~/miniconda3`, `~/.cargo`), or
 * for `~/.local/bin` just `~/.local/bin` and `~/.local/lib` — never the rest of the home directory.
 */
export function toolDirectoriesInHome(home: string, searchPath: string | undefined): string[] {
  if (home === '/' || home === '' || searchPath === undefined) return [];
  const inside = `${resolve(home)}/`;
  const found = new Set<string>();
  for (const entry of searchPath.split(':')) {
    const directory = resolve(entry || '.');
    if (!directory.startsWith(inside)) continue;
    const local = join(inside, '.local');
    if (directory === join(local, 'bin')) {
      found.add(join(local, 'bin'));
      found.add(join(local, 'lib'));
    } else if (['bin', 'shims'].includes(basename(directory)) && dirname(directory) !== resolve(home))
      found.add(dirname(directory));
    else found.add(directory);
  }
  return [...found];
}

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProcessLimits } from './cgroup-limits.js';
import { EGRESS_FORWARDER, EGRESS_PORT, EGRESS_SOCKET_INSIDE } from './egress-proxy.js';

/**
 * A confinement for the code models write (docs/sandbox.md), applied by bubblewrap: the system read-only, the
 * workdir writable, declared extra paths read-only or writable, a private /tmp, no view of $HOME or of other
 * workdirs, its own PID namespace (no other process can be seen or signalled), and no network unless granted. GPUs
 * (`/dev/nvidia*`, `/dev/dri`, `/dev/kfd`) are bound in, so CUDA and ROCm answer the same inside as outside.
 */
export interface Sandbox {
  /** Writable: the workdir, and the paths configured writable (an HF cache). */
  writable: readonly string[];
  /** Visible read-only, also inside a writable path (the state directory inside the workdir) or a hidden one (a venv in $HOME). */
  readOnly: readonly string[];
  /** Writable again inside a read-only path (a job's exit-status directory inside the state directory). */
  writableInside?: readonly string[];
  /** Hidden behind an empty directory: the home directory. */
  hidden: readonly string[];
  /** No network; the host's; or only the allowed `host:port` pairs, through the egress proxy on `socket`. */
  network: 'none' | 'host' | { allow: readonly string[]; socket: string };
  /** Processes and memory for the launch and all it starts (control groups, where they can be made). */
  limits?: ProcessLimits;
}

/** The bubblewrap program; `MUX_SWARM_BWRAP` names another (tests point it at one that does not exist). */
export function bwrapProgram(environment: NodeJS.ProcessEnv = process.env): string {
  return environment.MUX_SWARM_BWRAP ?? 'bwrap';
}

/** The command line that runs `file args` inside `sandbox`, starting in `cwd`. */
export function confine(
  sandbox: Sandbox,
  file: string,
  args: readonly string[],
  cwd: string | undefined,
): { file: string; args: string[] } {
  const options = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  for (const path of sandbox.hidden) options.push('--tmpfs', path);
  // Outermost first, so that a path inside another keeps its own mode (the state directory inside the workdir).
  const binds = [
    ...existing(sandbox.writable).map((path) => ({ path, option: '--bind', rank: 0 })),
    ...existing(sandbox.readOnly).map((path) => ({ path, option: '--ro-bind', rank: 1 })),
    ...existing(sandbox.writableInside ?? []).map((path) => ({ path, option: '--bind', rank: 2 })),
  ].sort((left, right) => depth(left.path) - depth(right.path) || left.rank - right.rank);
  for (const { path, option } of binds) options.push(option, path, path);
  for (const device of gpuDevices()) options.push('--dev-bind', device, device);
  options.push('--unshare-pid', '--unshare-ipc', '--unshare-uts');
  if (sandbox.network !== 'host') options.push('--unshare-net');
  if (typeof sandbox.network === 'object') options.push('--bind', sandbox.network.socket, EGRESS_SOCKET_INSIDE);
  if (cwd !== undefined) options.push('--chdir', resolve(cwd));
  if (typeof sandbox.network !== 'object') return { file: bwrapProgram(), args: [...options, '--', file, ...args] };
  // The allow-list's way out: a forwarder to the egress proxy, listening before the program starts.
  const script =
    'node="$1"; code="$2"; shift 2; "$node" -e "$code" & tries=0; while [ ! -e /tmp/.mux-swarm-egress-ready ]; do tries=$((tries + 1)); [ "$tries" -gt 1000 ] && exit 125; sleep 0.01; done; exec "$@"';
  return {
    file: bwrapProgram(),
    args: [
      ...options,
      '--',
      '/bin/sh',
      '-c',
      script,
      'mux-swarm-egress',
      process.execPath,
      EGRESS_FORWARDER,
      file,
      ...args,
    ],
  };
}

/** The GPU device nodes of this machine: NVIDIA's (control, UVM, modeset, each GPU), DRI render nodes, ROCm's kfd. */
export function gpuDevices(devices = '/dev'): string[] {
  let names: string[];
  try {
    names = readdirSync(devices);
  } catch {
    return [];
  }
  const found = names.filter((name) => name.startsWith('nvidia')).map((name) => join(devices, name));
  for (const name of ['dri', 'kfd']) if (names.includes(name)) found.push(join(devices, name));
  return found.sort();
}

/** Paths that exist (bubblewrap refuses to bind a missing one), each once. */
function existing(paths: readonly string[]): string[] {
  return [...new Set(paths.map((path) => resolve(path)))].filter((path) => existsSync(path));
}

function depth(path: string): number {
  return path.split('/').length;
}

/** The environment that sends a sandboxed program's HTTP(S) through the allow-list's forwarder. */
export function egressEnvironment(sandbox: Sandbox): Record<string, string> {
  if (typeof sandbox.network !== 'object') return {};
  const proxy = `http://127.0.0.1:${EGRESS_PORT}`;
  return { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy, NO_PROXY: '', no_proxy: '' };
}

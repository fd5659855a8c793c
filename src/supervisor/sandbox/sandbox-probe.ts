import { captureChild } from '../spawn-child.js';
import { bwrapProgram, gpuDevices } from './sandbox.js';

/** Whether bubblewrap confines processes on this machine, and why not when it does not. */
export interface SandboxAvailability {
  usable: boolean;
  /** Why it cannot be used: not installed, or the kernel refused it namespaces. */
  reason?: string;
  /** The GPU device nodes bound into every sandbox. */
  gpuDevices: string[];
}

const PROBE_TIMEOUT_MS = 10_000;
const probes = new Map<string, Promise<SandboxAvailability>>();

/**
 * Tries bubblewrap once per process (per program): `true` in a sandbox with its own PID and network namespaces.
 * About 5 ms; cached, so every later command only pays for its own sandbox.
 */
export function probeSandbox(environment: NodeJS.ProcessEnv = process.env): Promise<SandboxAvailability> {
  const program = bwrapProgram(environment);
  let probe = probes.get(program);
  if (probe === undefined) {
    probe = runProbe(program, environment);
    probes.set(program, probe);
  }
  return probe;
}

async function runProbe(program: string, environment: NodeJS.ProcessEnv): Promise<SandboxAvailability> {
  const devices = gpuDevices();
  const args = [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--unshare-pid',
    '--unshare-net',
    ...devices.flatMap((device) => ['--dev-bind', device, device]),
    '--',
    'true',
  ];
  const outcome = await captureChild(
    { file: program, args, env: { PATH: environment.PATH ?? '/usr/bin:/bin' } },
    { timeoutMs: PROBE_TIMEOUT_MS, maxOutputBytes: 4096 },
  );
  if (outcome.spawnError !== undefined) {
    const missing = outcome.spawnError.code === 'ENOENT';
    return {
      usable: false,
      gpuDevices: devices,
      reason: missing
        ? `bubblewrap (${program}) is not installed: apt-get install bubblewrap`
        : `${program} cannot be run: ${outcome.spawnError.message}`,
    };
  }
  if (outcome.code === 0) return { usable: true, gpuDevices: devices };
  const said = outcome.stderr.trim().split('\n').at(-1) ?? '';
  return {
    usable: false,
    gpuDevices: devices,
    reason: `${program} does not work here${outcome.timedOut ? ' (no answer in 10 s)' : ''}: ${said || `exit ${outcome.code ?? outcome.signal}`} (user namespaces may be off: sysctl kernel.unprivileged_userns_clone)`,
  };
}

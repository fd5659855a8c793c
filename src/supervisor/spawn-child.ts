// The one place mux-swarm starts a child process (a test greps src/ for any other spawn or execFile).
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { trackProcessGroup, untrackProcessGroup } from './process-group-registry.js';
import { isProcessGroupAlive, signalProcessGroup } from './process-group.js';
import { confine, egressEnvironment, type Sandbox } from './sandbox/sandbox.js';
import { createLimitGroup, joinLimitGroup, type LimitGroup } from './sandbox/cgroup-limits.js';

/**
 * How long a child may live, and who ends it:
 * - `group`: leader of a new session and process group, tracked by the supervisor's registry, so that mux-swarm's
 *   exit (even after an uncaught exception) kills the whole group: commands, scripts, MCP servers, git, GPU tools;
 * - `detached`: leader of a new session and process group that is NOT tracked: it outlives a crash of mux-swarm and
 *   is re-attached by the next run (background and training jobs; an orderly stop ends them by their registries).
 */
export type ChildLifetime = 'group' | 'detached';

export interface ChildLaunch {
  file: string;
  args: readonly string[];
  cwd?: string;
  /** The whole environment of the child: callers build it from an allow-list (child-environment.ts). */
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
  lifetime: ChildLifetime;
  /** Confinement to run it in (sandbox/); undefined runs it as mux-swarm runs. */
  sandbox?: Sandbox;
}

/** Starts a child as `launch` says, in its sandbox when it has one. Spawn errors come as the child's 'error' event. */
export function spawnChild(launch: ChildLaunch): ChildProcess {
  const confined =
    launch.sandbox === undefined ? launch : confine(launch.sandbox, launch.file, launch.args, launch.cwd);
  const limits = launch.sandbox?.limits;
  const group =
    limits === undefined || (limits.processes === undefined && limits.memoryBytes === undefined)
      ? undefined
      : createLimitGroup(limits);
  const { file, args } =
    group === undefined || 'unavailable' in group ? confined : joinLimitGroup(group, confined.file, confined.args);
  // Inside the sandbox /tmp is its own, and a TMPDIR elsewhere would be read-only.
  const env =
    launch.sandbox === undefined
      ? launch.env
      : {
          ...launch.env,
          ...(launch.env.TMPDIR === undefined ? {} : { TMPDIR: '/tmp' }),
          ...egressEnvironment(launch.sandbox),
        };
  const child = spawn(file, args, {
    ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
    env,
    stdio: launch.stdio,
    detached: true,
  });
  if (group !== undefined && !('unavailable' in group)) limitGroups.set(child, group);
  const processGroupId = child.pid;
  if (launch.lifetime === 'group' && processGroupId !== undefined) {
    trackProcessGroup(processGroupId);
    child.once('exit', () => {
      if (!isProcessGroupAlive(processGroupId)) untrackProcessGroup(processGroupId);
    });
  }
  return child;
}

const limitGroups = new WeakMap<ChildProcess, LimitGroup>();

/** The control group holding a child's limits, when it has one: what it ran into, and its removal once it ended. */
export function limitGroupOf(child: ChildProcess): LimitGroup | undefined {
  return limitGroups.get(child);
}

/**
 * Spawns `command` as the leader of a new session and process group (so its group id is its pid) and tracks the
 * group so that mux-swarm's exit kills it. The group stays tracked until `killProcessGroup` has emptied it, or the
 * leader exits leaving no other member.
 */
export function spawnInProcessGroup(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdio?: StdioOptions; sandbox?: Sandbox } = {},
): ChildProcess {
  return spawnChild({
    file: command,
    args,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env ?? process.env,
    stdio: options.stdio ?? 'pipe',
    lifetime: 'group',
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
  });
}

export interface CapturedChild {
  /** The exit code; null when a signal ended it or it never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** It ran past `timeoutMs` and its group was killed. */
  timedOut: boolean;
  /** It could not be started (ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

export interface CaptureOptions {
  /** Written to its standard input, which is then closed; without it stdin is /dev/null. */
  input?: string;
  timeoutMs?: number;
  /** The most of each of stdout and stderr kept (the end of it). */
  maxOutputBytes?: number;
  /** Each chunk of stdout as it arrives, instead of keeping it. */
  onStdout?: (chunk: Buffer) => void;
}

/**
 * Runs a short program to its end, in its own tracked process group, keeping what it printed: git, a GPU tool, an
 * evaluation. At the timeout the whole group gets SIGKILL. Never rejects: a failure to start is `spawnError`.
 */
export function captureChild(
  launch: Omit<ChildLaunch, 'stdio' | 'lifetime'>,
  options: CaptureOptions = {},
): Promise<CapturedChild> {
  const maxBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawnChild({
      ...launch,
      lifetime: 'group',
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout = new OutputTail(maxBytes);
    const stderr = new OutputTail(maxBytes);
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout!.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : stdout.push(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) signalProcessGroup(child.pid, 'SIGKILL');
          }, options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // it may exit without reading it all
      child.stdin.end(options.input);
    }
  });
}

/** The last `max` bytes of a stream. */
class OutputTail {
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes - this.#chunks[0]!.length >= this.max) this.#bytes -= this.#chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.#chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

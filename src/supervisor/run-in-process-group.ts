import { performance } from 'node:perf_hooks';
import { isProcessGroupAlive, killProcessGroup } from './process-group.js';
import { limitGroupOf, spawnInProcessGroup } from './spawn-child.js';
import type { LimitHit } from './sandbox/cgroup-limits.js';
import type { Sandbox } from './sandbox/sandbox.js';
import { waitForStreamsToClose } from './wait-for-streams.js';

/** Where a command's output goes as it arrives (the shell server spills it to files, a check keeps a tail). */
export interface OutputSink {
  append(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

/** Default grace between SIGTERM and SIGKILL when a command times out, is cancelled or leaves processes behind. */
export const COMMAND_KILL_GRACE_MS = 2_000;
/** How long to wait for the pipes to close once the group is gone (a process that escaped it may hold them). */
const PIPE_DRAIN_MS = 1_000;
/** How often a command's control group is checked for its process limit. */
const LIMIT_POLL_MS = 200;
/**
 * How long the rest of a group may take to go once its leader has exited before it counts as left running. Inside the
 * sandbox the leader is bubblewrap, whose PID namespace the kernel tears down just after it exits: its processes are
 * still exiting for a moment, and were reported as left behind without it.
 */
const GROUP_EXIT_SETTLE_MS = 100;
const GROUP_EXIT_POLL_MS = 5;

export interface ProcessInvocation {
  file: string;
  args: readonly string[];
  cwd: string;
  environment: Record<string, string>;
  stdin?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  capture: OutputSink;
  /** Grace between SIGTERM and SIGKILL; default COMMAND_KILL_GRACE_MS. */
  killGraceMs?: number;
  /** Confinement to run it in; undefined: unconfined. */
  sandbox?: Sandbox;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The leader ended but other processes of its group were still running; they were killed. */
  backgroundProcessesStopped: boolean;
  durationMs: number;
  /** Set when the program could not be started at all. */
  spawnError?: NodeJS.ErrnoException;
  /** The sandbox limit it ran into: `pids` ends the whole group at once (a fork bomb), `memory` is the OOM kill. */
  limitHit?: LimitHit;
}

/**
 * Runs one program as the leader of its own process group and returns when the whole group is gone: at the
 * timeout or on abort the group is killed (SIGTERM, grace, SIGKILL), and processes left running when the
 * leader exits are killed too, so nothing outlives the call and no grandchild can keep it waiting on a pipe.
 */
export function runInProcessGroup(invocation: ProcessInvocation): Promise<ProcessOutcome> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const child = spawnInProcessGroup(invocation.file, invocation.args, {
    cwd: invocation.cwd,
    env: invocation.environment,
    stdio: [invocation.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(invocation.sandbox === undefined ? {} : { sandbox: invocation.sandbox }),
  });
  const processGroupId = child.pid;

  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let backgroundProcessesStopped = false;
    let killing: Promise<void> | undefined;
    let settled = false;

    const killGroup = (): Promise<void> => {
      killing ??=
        processGroupId === undefined
          ? Promise.resolve()
          : killProcessGroup(processGroupId, { graceMs: invocation.killGraceMs ?? COMMAND_KILL_GRACE_MS }).catch(() => {
              // Unkillable processes (uninterruptible I/O) stay tracked and get SIGKILL again at our exit.
            });
      return killing;
    };
    const onTimeout = (): void => {
      timedOut = true;
      void killGroup();
    };
    const onAbort = (): void => {
      cancelled = true;
      void killGroup();
    };
    const timer = setTimeout(onTimeout, invocation.timeoutMs);
    // A command at its process limit only churns (every fork fails): end it at once, as `limit: pids`.
    const limits = limitGroupOf(child);
    let limitHit: LimitHit | undefined;
    const limitWatch =
      limits === undefined
        ? undefined
        : setInterval(() => {
            if (limits.hits().includes('pids') && limitHit === undefined) {
              limitHit = 'pids';
              void killGroup();
            }
          }, LIMIT_POLL_MS);
    invocation.signal?.addEventListener('abort', onAbort, { once: true });
    if (invocation.signal?.aborted) onAbort();

    const settle = (ended: Omit<ProcessOutcome, 'durationMs'>): void => {
      let outcome = ended;
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (limitWatch !== undefined) clearInterval(limitWatch);
      if (limits !== undefined) {
        limitHit ??= limits.hits()[0];
        limits.remove();
      }
      if (limitHit !== undefined) outcome = { ...outcome, limitHit };
      invocation.signal?.removeEventListener('abort', onAbort);
      resolve({ ...outcome, durationMs: elapsed() });
    };

    child.stdout?.on('data', (chunk: Buffer) => invocation.capture.append('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => invocation.capture.append('stderr', chunk));
    if (child.stdin) {
      child.stdin.on('error', () => {
        // EPIPE: the command exited without reading all of its input; that is its business.
      });
      child.stdin.end(invocation.stdin);
    }

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (processGroupId !== undefined) return; // errors after a successful spawn show in the exit status
      settle({
        exitCode: null,
        signal: null,
        timedOut: false,
        cancelled,
        backgroundProcessesStopped: false,
        spawnError: error,
      });
    });

    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      void (async () => {
        if (killing === undefined && processGroupId !== undefined && (await outlivesLeader(processGroupId))) {
          backgroundProcessesStopped = true;
          void killGroup();
        }
        await killing;
        await waitForStreamsToClose([child.stdout, child.stderr], PIPE_DRAIN_MS);
        settle({ exitCode, signal, timedOut, cancelled, backgroundProcessesStopped });
      })();
    });
  });
}

/** Whether processes of the group still run once the settle time after its leader's exit has passed. */
async function outlivesLeader(processGroupId: number): Promise<boolean> {
  const deadline = performance.now() + GROUP_EXIT_SETTLE_MS;
  while (isProcessGroupAlive(processGroupId)) {
    if (performance.now() >= deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, GROUP_EXIT_POLL_MS));
  }
  return false;
}

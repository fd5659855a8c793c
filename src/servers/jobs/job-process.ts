import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { processStartTime } from '../../supervisor/process-identity.js';
import { spawnChild } from '../../supervisor/spawn-child.js';
import type { Sandbox } from '../../supervisor/sandbox/sandbox.js';
import { spawnTarget } from '../../supervisor/executable-lookup.js';
import { JOB_WRAPPER_NAME, JOB_WRAPPER_SCRIPT, JOB_WRAPPER_SHELL } from './job-exit-status.js';

export interface JobProcessLaunch {
  file: string;
  args: readonly string[];
  cwd: string;
  environment: Record<string, string>;
  /** Descriptor of the output log opened for appending: the job's stdout and stderr. */
  outputDescriptor: number;
  /** Where the wrapper records the program's exit status. */
  exitFile: string;
  /** Confinement to run it in; undefined: unconfined. */
  sandbox?: Sandbox;
}

export interface JobProcess {
  child: ChildProcess;
  /** The wrapper shell's pid: also the id of the job's process group. */
  pid: number;
  /** The wrapper's start time from /proc, to recognise it after a restart; null where /proc is missing. */
  processStartTime: string | null;
}

/**
 * Starts the job's program under the wrapper shell that records its exit status, as the leader of a new
 * session and process group. stdin is a pipe from mux-swarm; stdout and stderr are the output log itself, so
 * the job neither depends on mux-swarm to carry its output nor dies of a broken pipe when mux-swarm dies.
 *
 * The group is deliberately not in the supervisor's process-group registry, which SIGKILLs its groups whenever
 * mux-swarm's process exits — also after an uncaught exception. A job must survive a crash of mux-swarm, so that
 * the restarted worker re-attaches to it; an orderly stop kills it through JobRegistry.closeAll.
 *
 * Rejects with a spawn-shaped error (ENOENT, EACCES) when the program cannot be found or executed.
 */
export async function spawnJobProcess(launch: JobProcessLaunch): Promise<JobProcess> {
  const program = spawnTarget(launch.file, launch.environment.PATH, launch.cwd);
  rmSync(launch.exitFile, { force: true });
  const child = spawnChild({
    file: JOB_WRAPPER_SHELL,
    args: ['-c', JOB_WRAPPER_SCRIPT, JOB_WRAPPER_NAME, launch.exitFile, program, ...launch.args],
    cwd: launch.cwd,
    env: launch.environment,
    lifetime: 'detached',
    stdio: ['pipe', launch.outputDescriptor, launch.outputDescriptor],
    ...(launch.sandbox === undefined ? {} : { sandbox: launch.sandbox }),
  });
  if (child.pid === undefined) {
    // Node reports a failed spawn by leaving pid unset and emitting 'error' on the next tick.
    throw await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
  }
  return { child, pid: child.pid, processStartTime: processStartTime(child.pid) ?? null };
}

import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Limits for one launch and everything it starts: processes (pids) and memory (bytes). */
export interface ProcessLimits {
  processes?: number;
  memoryBytes?: number;
}

/** The limit a launch ran into. */
export type LimitHit = 'pids' | 'memory';

/** A control group made for one launch: its `cgroup.procs` files to join, what it ran into, and its removal. */
export interface LimitGroup {
  procsFiles: string[];
  /** The limits reached so far. */
  hits(): LimitHit[];
  /** Removes the group once its processes are gone (an rmdir of a busy group fails harmlessly). */
  remove(): void;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
let sequence = 0;

/**
 * A control group with `limits`, under this process's own groups: cgroup v2 (one hierarchy) where it can be written,
 * else cgroup v1's `pids` and `memory` controllers. Undefined, with the reason, where none can be made (no cgroupfs,
 * no permission: a desktop session without delegation) — the launch then runs without these limits.
 */
export function createLimitGroup(
  limits: ProcessLimits,
  root = CGROUP_ROOT,
  self = '/proc/self/cgroup',
): LimitGroup | { unavailable: string } {
  let membership: string;
  try {
    membership = readFileSync(self, 'utf8');
  } catch {
    return { unavailable: 'no /proc/self/cgroup' };
  }
  const name = `mux-swarm-${process.pid}-${(sequence += 1)}`;
  try {
    return existsSync(join(root, 'cgroup.controllers'))
      ? unifiedGroup(root, membership, name, limits)
      : legacyGroups(root, membership, name, limits);
  } catch (error) {
    return { unavailable: `control groups cannot be made here (${(error as Error).message.split('\n')[0]})` };
  }
}

function unifiedGroup(root: string, membership: string, name: string, limits: ProcessLimits): LimitGroup {
  const own = /^0::(.*)$/m.exec(membership)?.[1];
  if (own === undefined) throw new Error('not in a cgroup v2 group');
  const directory = join(root, own, name);
  mkdirSync(directory);
  if (limits.processes !== undefined) writeFileSync(join(directory, 'pids.max'), String(limits.processes));
  if (limits.memoryBytes !== undefined) writeFileSync(join(directory, 'memory.max'), String(limits.memoryBytes));
  return {
    procsFiles: [join(directory, 'cgroup.procs')],
    hits: () => [
      ...(eventCount(join(directory, 'pids.events'), 'max') > 0 ? (['pids'] as const) : []),
      ...(eventCount(join(directory, 'memory.events'), 'oom_kill') > 0 ? (['memory'] as const) : []),
    ],
    remove: () => removeDirectory(directory),
  };
}

function legacyGroups(root: string, membership: string, name: string, limits: ProcessLimits): LimitGroup {
  const directories: Array<{ controller: 'pids' | 'memory'; directory: string }> = [];
  const made: string[] = [];
  try {
    for (const controller of ['pids', 'memory'] as const) {
      const wanted = controller === 'pids' ? limits.processes : limits.memoryBytes;
      if (wanted === undefined) continue;
      const own = new RegExp(`^\\d+:(?:[^:]*,)?${controller}(?:,[^:]*)?:(.*)$`, 'm').exec(membership)?.[1];
      if (own === undefined) throw new Error(`no ${controller} controller`);
      const directory = join(root, controller, own, name);
      mkdirSync(directory);
      made.push(directory);
      writeFileSync(join(directory, controller === 'pids' ? 'pids.max' : 'memory.limit_in_bytes'), String(wanted));
      directories.push({ controller, directory });
    }
  } catch (error) {
    for (const directory of made) removeDirectory(directory);
    throw error;
  }
  return {
    procsFiles: directories.map(({ directory }) => join(directory, 'cgroup.procs')),
    hits: () =>
      directories.flatMap(({ controller, directory }) => {
        // memory.failcnt counts every reclaim at the limit (page cache too): only an OOM kill is running out of memory.
        const hit =
          controller === 'pids'
            ? eventCount(join(directory, 'pids.events'), 'max') > 0
            : eventCount(join(directory, 'memory.oom_control'), 'oom_kill') > 0;
        return hit ? [controller] : [];
      }),
    remove: () => {
      for (const { directory } of directories) removeDirectory(directory);
    },
  };
}

/**
 * The command line that puts the launch in the group before it runs: a shell writes its own pid to each
 * `cgroup.procs` file, then becomes the program, so every process it starts is counted from the first.
 */
export function joinLimitGroup(
  group: LimitGroup,
  file: string,
  args: readonly string[],
): { file: string; args: string[] } {
  const script = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return { file: '/bin/sh', args: ['-c', script, 'mux-swarm-limits', ...group.procsFiles, '--', file, ...args] };
}

/** The count of `key` in a `key value` events file; 0 when it cannot be read. */
function eventCount(file: string, key: string): number {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${key} `));
    return line === undefined ? 0 : Number(line.split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}

function removeDirectory(directory: string): void {
  try {
    rmdirSync(directory);
  } catch {
    // still busy, or gone: an empty group left behind costs nothing
  }
}

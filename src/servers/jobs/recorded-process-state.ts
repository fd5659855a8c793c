import { readFileSync } from 'node:fs';
import { isSameProcessAlive, processStartTime } from '../../supervisor/process-identity.js';

/**
 * Where a process recorded by pid and start time stands (a job's leader, the mux-swarm that owned a job):
 * - running: the process with that pid and start time runs;
 * - ended: it is gone, or a zombie nobody reaps (the parent that would have reaped it may have died too);
 * - replaced: the pid now belongs to another process (different start time). For a job's leader: its process
 *   group is not the job's, nothing may be signalled there.
 */
export type RecordedProcessState = 'running' | 'ended' | 'replaced';

export function recordedProcessState(pid: number, startTime: string | null): RecordedProcessState {
  if (!isSameProcessAlive(pid, startTime)) {
    return processStartTime(pid) === undefined ? 'ended' : 'replaced';
  }
  return isZombie(pid) ? 'ended' : 'running';
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc: signal 0 said it is alive
  }
}

import { readFileSync } from 'node:fs';

/**
 * A process's start time as the kernel counts it (clock ticks since boot, field 22 of /proc/<pid>/stat), so a
 * recorded pid can be told apart from a new process that reused the number. Undefined where /proc is missing.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its closing ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is alive and, when `startTime` is known, still the process that was recorded. */
export function isSameProcessAlive(pid: number, startTime: string | undefined | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!startTime) return true;
  const current = processStartTime(pid);
  return current === undefined || current === startTime;
}

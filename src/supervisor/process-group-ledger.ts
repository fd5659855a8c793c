import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isProcessGroupAlive, killProcessGroup } from './process-group.js';
import { listenToProcessGroups, trackedProcessGroups } from './process-group-registry.js';
import { processStartTime } from './process-identity.js';

/** The ledger's file in a run's directory. */
export const PROCESS_GROUP_LEDGER = 'process-groups.json';

/** A process group a session started and had not seen end: its id and its leader's start time (pid reuse). */
interface LedgerEntry {
  processGroupId: number;
  startTime: string | null;
}

/** What a new session found of an earlier one's groups and ended. */
export interface LeftProcessGroup {
  processGroupId: number;
  /** The leader's command line, as /proc shows it. */
  command: string;
}

/**
 * Keeps `file` listing the process groups this process started and has not seen end (the registry's groups:
 * commands, scripts, stdio MCP servers — not detached jobs, which are re-attached instead). mux-swarm kills them when
 * it exits; a kill -9 leaves them running, and the next session of the run ends them (`endLeftProcessGroups`).
 * The file is rewritten whole at each change: a handful of entries, a few microseconds.
 */
export function keepProcessGroupLedger(file: string): () => void {
  const entries = new Map<number, LedgerEntry>();
  for (const processGroupId of trackedProcessGroups())
    entries.set(processGroupId, { processGroupId, startTime: processStartTime(processGroupId) ?? null });
  const write = () => {
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify([...entries.values()]));
    renameSync(temporary, file);
  };
  listenToProcessGroups({
    tracked(processGroupId) {
      entries.set(processGroupId, { processGroupId, startTime: processStartTime(processGroupId) ?? null });
      write();
    },
    untracked(processGroupId) {
      entries.delete(processGroupId);
      write();
    },
  });
  write();
  return () => listenToProcessGroups(undefined);
}

/**
 * Ends the process groups an earlier session of the run left in `file` that still run, and says which. A missing or unreadable ledger leaves nothing to end.
 */
export async function endLeftProcessGroups(file: string): Promise<LeftProcessGroup[]> {
  let entries: LedgerEntry[];
  try {
    entries = JSON.parse(readFileSync(file, 'utf8')) as LedgerEntry[];
  } catch {
    return [];
  }
  const ended: LeftProcessGroup[] = [];
  for (const entry of entries) {
    if (!Number.isInteger(entry.processGroupId) || entry.processGroupId <= 1) continue;
    // A living leader with another start time is a new process that reused the number (so the old group is empty);
    // a dead leader whose group still has members is the same group.
    const leaderStart = processStartTime(entry.processGroupId);
    if (leaderStart !== undefined && entry.startTime !== null && leaderStart !== entry.startTime) continue;
    if (!isProcessGroupAlive(entry.processGroupId)) continue;
    const command = commandLine(entry.processGroupId);
    await killProcessGroup(entry.processGroupId, { graceMs: 1_000 }).catch(() => undefined);
    ended.push({ processGroupId: entry.processGroupId, command });
  }
  return ended;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '?';
  }
}

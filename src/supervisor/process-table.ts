import { readdirSync, readFileSync } from 'node:fs';

/** One process as the kernel's process table shows it. */
export interface ProcessEntry {
  pid: number;
  /** Single-letter state from /proc/PID/stat: R running, S sleeping, Z zombie, … */
  state: string;
  processGroupId: number;
}

/**
 * The processes of a process group, read from /proc; undefined where /proc cannot be read (not Linux).
 *
 * Zombies are listed too (state "Z"): they are dead but keep their group id until their parent reaps them,
 * and some container init processes never reap orphans.
 */
export function listProcessGroupMembers(processGroupId: number): ProcessEntry[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: ProcessEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcessEntry(Number(name));
    if (entry !== undefined && entry.processGroupId === processGroupId) members.push(entry);
  }
  return members;
}

/** Members that are not zombies: processes that still run and may hold pipes or files. */
export function listLivingProcessGroupMembers(processGroupId: number): ProcessEntry[] | undefined {
  return listProcessGroupMembers(processGroupId)?.filter((entry) => !isDeadState(entry.state));
}

function readProcessEntry(pid: number): ProcessEntry | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we looked
  }
  // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses, so parse after the last ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const processGroupId = Number(fields[2]);
  if (state === undefined || !Number.isInteger(processGroupId)) return undefined;
  return { pid, state, processGroupId };
}

function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

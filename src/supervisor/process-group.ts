import { setTimeout as delay } from 'node:timers/promises';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { untrackProcessGroup } from './process-group-registry.js';
import { listLivingProcessGroupMembers } from './process-table.js';

export const DEFAULT_KILL_GRACE_MS = 2_000;
/** How long SIGKILL may take to show before we call the group unkillable (stuck in uninterruptible I/O). */
const SIGKILL_SETTLE_MS = 5_000;
const POLL_INTERVAL_MS = 25;

export interface KillProcessGroupOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
}

/**
 * Whether any process of the group still runs. Zombies do not count: they hold no pipes and cannot be
 * killed again, and some container init processes never reap them.
 */
export function isProcessGroupAlive(processGroupId: number): boolean {
  assertProcessGroupId(processGroupId);
  try {
    process.kill(-processGroupId, 0);
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
    if (errorCode(error) === 'EPERM') return true;
    throw error;
  }
  const living = listLivingProcessGroupMembers(processGroupId);
  return living === undefined || living.length > 0;
}

/** Sends `signal` to every process of the group; false when the group no longer exists. */
export function signalProcessGroup(processGroupId: number, signal: NodeJS.Signals): boolean {
  assertProcessGroupId(processGroupId);
  try {
    process.kill(-processGroupId, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
    throw error;
  }
}

/**
 * SIGTERM to the whole group, up to `graceMs` for it to end, then SIGKILL; resolves once no process of the
 * group runs. Rejects (code `process-group-unkillable`) only if processes survive SIGKILL for seconds.
 */
export async function killProcessGroup(processGroupId: number, options: KillProcessGroupOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? DEFAULT_KILL_GRACE_MS;
  if (!isProcessGroupAlive(processGroupId)) {
    untrackProcessGroup(processGroupId);
    return;
  }
  signalProcessGroup(processGroupId, 'SIGTERM');
  if (await waitForProcessGroupEnd(processGroupId, graceMs)) {
    untrackProcessGroup(processGroupId);
    return;
  }
  signalProcessGroup(processGroupId, 'SIGKILL');
  if (await waitForProcessGroupEnd(processGroupId, SIGKILL_SETTLE_MS)) {
    untrackProcessGroup(processGroupId);
    return;
  }
  throw new MuxSwarmError(
    'process-group-unkillable',
    `Process group ${processGroupId} still has running processes ${SIGKILL_SETTLE_MS} ms after SIGKILL ` +
      '(probably stuck in uninterruptible I/O, e.g. a hung network filesystem); check it with `ps -o pid,stat,cmd -g ' +
      `${processGroupId}\`.`,
  );
}

/** Polls until the group is gone; true if it went within `timeoutMs`. */
export async function waitForProcessGroupEnd(processGroupId: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessGroupAlive(processGroupId)) {
    if (Date.now() >= deadline) return false;
    await delay(POLL_INTERVAL_MS);
  }
  return true;
}

/** Guards `process.kill(-id)`: -0 is our own group and -1 is every process we may signal. */
function assertProcessGroupId(processGroupId: number): void {
  if (!Number.isInteger(processGroupId) || processGroupId <= 1) {
    throw new MuxSwarmError(
      'invalid-process-group-id',
      `Refusing to signal process group ${processGroupId}: a process group id must be an integer above 1.`,
    );
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

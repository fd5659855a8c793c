/**
 * Process groups mux-swarm started and has not yet seen end. When mux-swarm itself ends — normal exit, an
 * uncaught exception, or SIGINT/SIGTERM/SIGHUP with no other handler — every tracked group gets SIGKILL,
 * synchronously, so no child outlives us. (Nothing can run on SIGKILL of mux-swarm itself.)
 */
const trackedGroups = new Set<number>();
const forwardedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let handlersInstalled = false;

/** Told of every group tracked and untracked: the ledger a later process reads to end what a killed one left. */
export interface ProcessGroupListener {
  tracked(processGroupId: number): void;
  untracked(processGroupId: number): void;
}
let listener: ProcessGroupListener | undefined;

/** Sets (or, with undefined, removes) the one listener. */
export function listenToProcessGroups(next: ProcessGroupListener | undefined): void {
  listener = next;
}

export function trackProcessGroup(processGroupId: number): void {
  installExitHandlers();
  if (trackedGroups.has(processGroupId)) return;
  trackedGroups.add(processGroupId);
  listener?.tracked(processGroupId);
}

export function untrackProcessGroup(processGroupId: number): void {
  if (!trackedGroups.delete(processGroupId)) return;
  listener?.untracked(processGroupId);
}

export function trackedProcessGroups(): number[] {
  return [...trackedGroups];
}

/** SIGKILL every tracked group now. Safe to call from a `process.on('exit')` handler. */
export function killTrackedProcessGroupsSync(): void {
  for (const processGroupId of trackedGroups) {
    try {
      process.kill(-processGroupId, 'SIGKILL');
    } catch {
      // Already gone (ESRCH), or not ours any more (EPERM): nothing left to do.
    }
  }
  trackedGroups.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killTrackedProcessGroupsSync);
  for (const signal of forwardedSignals) process.on(signal, onTerminatingSignal);
}

/**
 * Children in their own groups do not receive the terminal's Ctrl-C, and Node's default SIGINT death skips
 * 'exit' handlers. When another handler exists, the application owns shutdown and its exit runs our 'exit'
 * handler; when ours is the only one, kill the groups and die of the same signal, as without us.
 */
function onTerminatingSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killTrackedProcessGroupsSync();
  for (const forwarded of forwardedSignals) process.removeListener(forwarded, onTerminatingSignal);
  process.kill(process.pid, signal);
}

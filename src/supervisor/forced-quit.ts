/**
 * Process groups to kill when the user asks mux-swarm to quit at once (a second Ctrl-C): work it started that an
 * orderly stop would have stopped (background jobs). A crash does not come here, so detached work survives a
 * crash and is re-attached by the next process; a forced quit means "stop everything".
 */
const groups = new Set<number>();

/** Tracks a process group; the returned function stops tracking it (when it ended on its own). */
export function trackGroupForForcedQuit(processGroupId: number): () => void {
  groups.add(processGroupId);
  return () => groups.delete(processGroupId);
}

/** SIGKILL to every tracked group, now and synchronously (the process is about to exit). */
export function killGroupsForForcedQuit(): void {
  for (const processGroupId of groups) {
    try {
      process.kill(-processGroupId, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

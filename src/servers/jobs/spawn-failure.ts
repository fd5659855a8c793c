/** A failure of Node's spawn (ENOENT, EACCES, …) as Job.start rethrows it, as opposed to mux-swarm's own refusals. */
export function isSpawnError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

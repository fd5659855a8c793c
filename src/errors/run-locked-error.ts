import { MuxSwarmError } from './mux-swarm-error.js';

/** Another live process drives the run: two must not, so this one refuses to start (exit 2). */
export class RunLockedError extends MuxSwarmError {
  constructor(runId: string, holder: { hostname: string; pid: number; heartbeat_at: string }) {
    super(
      'run_locked',
      `run ${runId} is being driven by pid ${holder.pid} on ${holder.hostname} (last heartbeat ${holder.heartbeat_at}); ` +
        'two processes must not drive one run: stop that one first, or start a new run with --fresh',
    );
  }
}

/**
 * Named places where a test can make mux-swarm die at once (`kill -9` of itself), to prove that a resumed run
 * neither loses nor repeats work. `MUX_SWARM_FAIL_AT=<point>` dies the first time the point is reached;
 * `<point>:<n>` the n-th time. Without the variable this costs one environment lookup.
 */
export type FailPoint =
  /** A model call's intent is journaled; the request has not been sent. */
  | 'model-intent'
  /** The first chunk of a streamed answer arrived (providers with `stream: true`); nothing of it is journaled. */
  | 'model-stream'
  /** The model answered; its reply and usage are not journaled yet. */
  | 'model-reply'
  /** A tool call's intent is journaled; the tool has not run. */
  | 'tool-intent'
  /** The tool ran; its outcome is not journaled yet. */
  | 'tool-ran'
  /** A turn's tool results are journaled; the next model call has not been made. */
  | 'turn-recorded'
  /** A background job (shell or python start_job) was started and recorded; its tool call has no outcome yet. */
  | 'job-spawned';

const reached = new Map<string, number>();

export function failPoint(point: FailPoint): void {
  const wanted = process.env.MUX_SWARM_FAIL_AT;
  if (!wanted) return;
  const [name, count] = wanted.split(':');
  if (name !== point) return;
  const onAttempt = process.env.MUX_SWARM_FAIL_ON_ATTEMPT;
  if (onAttempt !== undefined && onAttempt !== (process.env.MUX_SWARM_WATCHDOG_ATTEMPT ?? '1')) return;
  const times = (reached.get(point) ?? 0) + 1;
  reached.set(point, times);
  if (times === Number(count ?? 1)) process.kill(process.pid, 'SIGKILL');
}

/** Leeway around a call's start and end for a file's modification time (file times are stamped from a coarse clock). */
const SLACK_MS = 20;
/** Windows kept, the most recent: enough for hours of calls between a failure and its relaunch. */
const MAX_WINDOWS = 20_000;

/**
 * When the agents' tool calls that may change files ran (every MCP call not marked read-only: file writes and
 * edits, commands, scripts), in this process: a file the workdir holds changed by an agent was modified during one
 * of them; a file modified at another time was written by something else, such as a training job writing
 * checkpoints and adapters. Kept in memory: for a failure older than this process (a restart), nothing can be told
 * apart, and every change counts.
 */
export class AgentWrites {
  readonly #startedAt = Date.now();
  readonly #running = new Map<string, number>();
  readonly #windows: Array<{ start: number; end: number }> = [];

  /** A call starts; one marked read-only is not followed. */
  begin(callId: string, readOnly: boolean): void {
    if (!readOnly) this.#running.set(callId, Date.now());
  }

  end(callId: string): void {
    const start = this.#running.get(callId);
    if (start === undefined) return;
    this.#running.delete(callId);
    this.#windows.push({ start, end: Date.now() });
    if (this.#windows.length > MAX_WINDOWS) this.#windows.splice(0, this.#windows.length - MAX_WINDOWS);
  }

  /**
   * Whether a change seen now to a file, since `sinceMs`, is an agent's: its modification time falls in a call that
   * may write (or in one still running); a removed file (no time) when any such call ran since.
   */
  isAgents(mtimeMs: number | undefined, sinceMs: number): boolean {
    if (sinceMs < this.#startedAt) return true;
    const windows = [
      ...this.#windows.filter((window) => window.end + SLACK_MS >= sinceMs),
      ...[...this.#running.values()].map((start) => ({ start, end: Date.now() })),
    ];
    if (mtimeMs === undefined) return windows.length > 0;
    return windows.some((window) => mtimeMs >= window.start - SLACK_MS && mtimeMs <= window.end + SLACK_MS);
  }
}

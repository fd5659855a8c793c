import { readHeartbeat } from './heartbeat.js';

export interface HeartbeatMonitorOptions {
  /** The heartbeat file of this attempt (fresh: any beat in it is this worker's). */
  file: string;
  /** When the worker was started, milliseconds since the epoch. */
  startedAtMs: number;
  /** Longest silence allowed after the first beat. */
  timeoutMs: number;
  /** Longest time from the start to the first beat. */
  startupGraceMs: number;
  /** How often the file is read. */
  checkIntervalMs: number;
  /** Called once, with how long the worker has been silent; the monitor has stopped by then. */
  onStale: (silentMs: number, sawBeat: boolean) => void;
  now?: () => number;
}

export interface HeartbeatMonitor {
  stop(): void;
}

/**
 * Watches a worker's heartbeat file and calls `onStale` when the last beat is older than the timeout, or when
 * no beat came within the start-up grace.
 */
export function monitorHeartbeat(options: HeartbeatMonitorOptions): HeartbeatMonitor {
  const now = options.now ?? Date.now;
  const check = (): void => {
    const beat = readHeartbeat(options.file);
    const silentMs = now() - (beat?.timeMs ?? options.startedAtMs);
    const limitMs = beat === undefined ? options.startupGraceMs : options.timeoutMs;
    if (silentMs <= limitMs) return;
    stop();
    options.onStale(silentMs, beat !== undefined);
  };
  const timer = setInterval(check, options.checkIntervalMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  return { stop };
}

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The worker side of the watchdog's liveness check. The watchdog names a file in MUX_SWARM_HEARTBEAT_FILE;
 * the worker rewrites it every few seconds from a timer on its event loop, so a blocked loop (a busy loop, a
 * synchronous call that never returns) stops the beats just as a dead process does.
 */
export const HEARTBEAT_FILE_VARIABLE = 'MUX_SWARM_HEARTBEAT_FILE';
export const HEARTBEAT_INTERVAL_VARIABLE = 'MUX_SWARM_HEARTBEAT_INTERVAL_MS';
/** Which attempt of the watchdog this worker is: 1 for the first start, 2 after the first restart, … */
export const WATCHDOG_ATTEMPT_VARIABLE = 'MUX_SWARM_WATCHDOG_ATTEMPT';
/**
 * A file the watchdog names for all its attempts: the first worker writes the id of the run it drives there, and every
 * restart resumes that run — also after `run --fresh`, whose restart must not start yet another run.
 */
export const WATCHDOG_RUN_FILE_VARIABLE = 'MUX_SWARM_WATCHDOG_RUN_FILE';
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;

/** One beat as written to the file. */
export const heartbeatBeatSchema = z.object({
  version: z.literal(1),
  pid: z.number().int(),
  /** Milliseconds since the epoch, from the worker's clock (the same machine as the watchdog's). */
  timeMs: z.number(),
  time: z.string(),
});
export type HeartbeatBeat = z.infer<typeof heartbeatBeatSchema>;

export interface Heartbeat {
  readonly file: string;
  readonly intervalMs: number;
  /** Stops beating; the last beat stays in the file. Idempotent. */
  stop(): void;
}

/**
 * Starts beating when MUX_SWARM_HEARTBEAT_FILE is set (i.e. under the watchdog); undefined otherwise. The
 * interval comes from MUX_SWARM_HEARTBEAT_INTERVAL_MS, default 2 s.
 */
export function startHeartbeatFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Heartbeat | undefined {
  const file = environment[HEARTBEAT_FILE_VARIABLE]?.trim();
  if (!file) return undefined;
  return startHeartbeat(file, parseInterval(environment[HEARTBEAT_INTERVAL_VARIABLE]));
}

/** Runs `work` with the heartbeat of the environment (if any) beating, and stops it when `work` settles. */
export async function withHeartbeat<T>(
  work: () => Promise<T>,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const heartbeat = startHeartbeatFromEnvironment(environment);
  try {
    return await work();
  } finally {
    heartbeat?.stop();
  }
}

/**
 * Writes a beat now and every `intervalMs` after. The timer is unref'd (it never keeps the process alive) and
 * stops by itself when the process exits.
 */
export function startHeartbeat(file: string, intervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS): Heartbeat {
  let warned = false;
  const beat = (): void => {
    try {
      writeHeartbeat(file);
    } catch (error) {
      // A worker must not die because its heartbeat cannot be written; the watchdog will see it as silent.
      if (!warned)
        process.stderr.write(`mux-swarm: cannot write the heartbeat file ${file}: ${(error as Error).message}\n`);
      warned = true;
    }
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    process.off('exit', stop);
  };
  process.once('exit', stop);
  return { file, intervalMs, stop };
}

/** Writes one beat atomically (temp file, then rename), so a reader never sees half a beat. */
export function writeHeartbeat(file: string, nowMs = Date.now()): void {
  const beat: HeartbeatBeat = { version: 1, pid: process.pid, timeMs: nowMs, time: new Date(nowMs).toISOString() };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(beat)}\n`);
  renameSync(temporary, file);
}

/** The last beat in `file`; undefined when there is none yet (or it cannot be read). */
export function readHeartbeat(file: string): HeartbeatBeat | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = heartbeatBeatSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function parseInterval(value: string | undefined): number {
  const parsed = Number(value);
  return value !== undefined && Number.isInteger(parsed) && parsed > 0 ? parsed : DEFAULT_HEARTBEAT_INTERVAL_MS;
}

/** The run an earlier attempt under this watchdog drove, when there was one. */
export function watchdogRun(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = environment[WATCHDOG_RUN_FILE_VARIABLE]?.trim();
  if (!file) return undefined;
  try {
    const id = readFileSync(file, 'utf8').trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

/** Notes the run this worker drives for the watchdog's later attempts (the first note stands). */
export function noteWatchdogRun(runId: string, environment: NodeJS.ProcessEnv = process.env): void {
  const file = environment[WATCHDOG_RUN_FILE_VARIABLE]?.trim();
  if (!file || watchdogRun(environment) !== undefined) return;
  try {
    writeFileSync(file, `${runId}\n`);
  } catch {
    // Without the note a restart picks the run as without a watchdog: the unfinished run of this goal.
  }
}

/** The run file of the watchdog with process id `watchdogPid`, in its heartbeat directory. */
export function watchdogRunFile(heartbeatDirectory: string, watchdogPid = process.pid): string {
  return `${heartbeatDirectory}/run-${watchdogPid}.id`;
}

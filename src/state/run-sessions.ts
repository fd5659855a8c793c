import { z } from 'zod';
import { RunLockedError } from '../errors/run-locked-error.js';
import type { SqliteDatabase } from './database.js';

/** The process driving a run. */
export interface SessionOwner {
  hostname: string;
  pid: number;
  processStart: string | undefined;
}

/** How long another machine's session counts as alive after its last heartbeat. */
export const SESSION_STALE_MS = 30_000;
/** How often a session writes its heartbeat. */
export const SESSION_HEARTBEAT_MS = 5_000;

const sessionRowSchema = z.object({
  session: z.number().int(),
  hostname: z.string(),
  pid: z.number().int(),
  process_start: z.string().nullable(),
  heartbeat_at: z.string(),
  ended_at: z.string().nullable(),
});

/** A session's span: when it started, and when it ended (null: it did not end cleanly, or still runs). */
const sessionSpanSchema = z.object({
  session: z.number().int(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
export type SessionSpan = z.infer<typeof sessionSpanSchema>;

/** A finished session's time worked: from its start to its end, or to the last heartbeat of one that died. */
const activeSpanSchema = z.object({ started_at: z.string(), until: z.string() });

/**
 * Takes the run for this process: a new session row, unless the newest session has not ended and its process is
 * alive (same machine: the pid with the same start time; another machine: a heartbeat within SESSION_STALE_MS),
 * in which case RunLockedError. A session whose process is gone is closed at its last heartbeat. One immediate
 * transaction, so two processes starting at once cannot both win.
 */
export function beginRunSession(
  database: SqliteDatabase,
  runId: string,
  owner: SessionOwner,
  now: Date,
  isAlive: (pid: number, processStart: string | null) => boolean,
): number {
  return database
    .transaction(() => {
      const latest = latestSession(database, runId);
      if (latest && latest.ended_at === null) {
        const alive =
          latest.hostname === owner.hostname
            ? isAlive(latest.pid, latest.process_start)
            : now.getTime() - Date.parse(latest.heartbeat_at) < SESSION_STALE_MS;
        if (alive) throw new RunLockedError(runId, latest);
        database
          .prepare(`UPDATE run_sessions SET ended_at = heartbeat_at WHERE run_id = ? AND session = ?`)
          .run(runId, latest.session);
      }
      const session = (latest?.session ?? 0) + 1;
      const at = now.toISOString();
      database
        .prepare(
          `INSERT INTO run_sessions (run_id, session, hostname, pid, process_start, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(runId, session, owner.hostname, owner.pid, owner.processStart ?? null, at, at);
      return session;
    })
    .immediate();
}

/**
 * Whether a process is driving the run now: its newest session has not ended and its process lives (this machine:
 * the same pid and start time) or beats (another machine). A `running` run that nobody drives has crashed.
 */
export function isRunDriven(
  database: SqliteDatabase,
  runId: string,
  here: string,
  now: Date,
  isAlive: (pid: number, processStart: string | null) => boolean,
): boolean {
  const latest = latestSession(database, runId);
  if (!latest || latest.ended_at !== null) return false;
  return latest.hostname === here
    ? isAlive(latest.pid, latest.process_start)
    : now.getTime() - Date.parse(latest.heartbeat_at) < SESSION_STALE_MS;
}

export function beatRunSession(database: SqliteDatabase, runId: string, session: number, now: Date): void {
  database
    .prepare(`UPDATE run_sessions SET heartbeat_at = ? WHERE run_id = ? AND session = ?`)
    .run(now.toISOString(), runId, session);
}

export function endRunSession(database: SqliteDatabase, runId: string, session: number, now: Date): void {
  database
    .prepare(`UPDATE run_sessions SET heartbeat_at = ?, ended_at = ? WHERE run_id = ? AND session = ?`)
    .run(now.toISOString(), now.toISOString(), runId, session);
}

/** Time the run has been worked on in ended sessions (start to end, or to the last heartbeat of one that died). */
export function previouslyActiveMs(database: SqliteDatabase, runId: string, currentSession: number): number {
  const rows = database
    .prepare(
      `SELECT started_at, coalesce(ended_at, heartbeat_at) AS until FROM run_sessions WHERE run_id = ? AND session < ?`,
    )
    .all(runId, currentSession)
    .map((row) => activeSpanSchema.parse(row));
  return rows.reduce((sum, row) => sum + Math.max(0, Date.parse(row.until) - Date.parse(row.started_at)), 0);
}

/** The run's sessions in order, each with its start and end. */
export function sessionSpans(database: SqliteDatabase, runId: string): SessionSpan[] {
  return database
    .prepare(`SELECT session, started_at, ended_at FROM run_sessions WHERE run_id = ? ORDER BY session`)
    .all(runId)
    .map((row) => sessionSpanSchema.parse(row));
}

/** The run's newest session (who drives it, or drove it last); undefined for a run without one. */
export type RunSessionRow = z.infer<typeof sessionRowSchema>;

export function latestSession(database: SqliteDatabase, runId: string): RunSessionRow | undefined {
  const row = database
    .prepare(
      `SELECT session, hostname, pid, process_start, heartbeat_at, ended_at FROM run_sessions WHERE run_id = ? ORDER BY session DESC LIMIT 1`,
    )
    .get(runId);
  return row === undefined ? undefined : sessionRowSchema.parse(row);
}

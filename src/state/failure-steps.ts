import type { SqliteDatabase } from './database.js';

/** A step that failed and has not succeeded since: what it was, how it failed, and the workdir files as they were then. */
export interface OpenFailedStep {
  id: number;
  stepKey: string;
  fingerprint: string;
  agent: string | null;
  delegationId: string | null;
  failedAt: string;
  /** Workdir-relative path → content at the time of the failure. */
  snapshot: Record<string, string>;
}

/**
 * The failed steps of a run that wait for a later success of the same step (migration 5's `failure_steps`), kept in
 * the state database so that a fix is still recognised after a restart.
 */
export class FailureSteps {
  constructor(private readonly database: SqliteDatabase) {}

  open(runId: string, stepKey: string): OpenFailedStep | undefined {
    const row = this.database
      .prepare('SELECT * FROM failure_steps WHERE run_id = ? AND step_key = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT 1')
      .get(runId, stepKey) as { id: number; step_key: string; fingerprint: string; agent: string | null; delegation_id: string | null; failed_at: string; snapshot_json: string } | undefined;
    if (row === undefined) return undefined;
    return { id: row.id, stepKey: row.step_key, fingerprint: row.fingerprint, agent: row.agent, delegationId: row.delegation_id, failedAt: row.failed_at, snapshot: JSON.parse(row.snapshot_json) as Record<string, string> };
  }

  /** Records a failure of the step; an earlier open failure of it is closed (it is superseded). */
  record(runId: string, step: Omit<OpenFailedStep, 'id'>): void {
    this.database.transaction(() => {
      this.database.prepare('UPDATE failure_steps SET resolved_at = ? WHERE run_id = ? AND step_key = ? AND resolved_at IS NULL').run(step.failedAt, runId, step.stepKey);
      this.database
        .prepare('INSERT INTO failure_steps (run_id, step_key, fingerprint, agent, delegation_id, failed_at, snapshot_json) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(runId, step.stepKey, step.fingerprint, step.agent, step.delegationId, step.failedAt, JSON.stringify(step.snapshot));
    })();
  }

  /** The run's failed steps that have not succeeded since, oldest first, with their failure's type and message. */
  openInRun(runId: string): Array<{ stepKey: string; fingerprint: string; failedAt: string; type: string | null; message: string | null; fixes: number }> {
    return this.database
      .prepare(
        `SELECT s.step_key AS stepKey, s.fingerprint, s.failed_at AS failedAt, f.type, f.message,
                (SELECT count(*) FROM failure_fixes x WHERE x.fingerprint = s.fingerprint AND x.worked > 0) AS fixes
           FROM failure_steps s LEFT JOIN failures f ON f.fingerprint = s.fingerprint
          WHERE s.run_id = ? AND s.resolved_at IS NULL ORDER BY s.id`,
      )
      .all(runId) as Array<{ stepKey: string; fingerprint: string; failedAt: string; type: string | null; message: string | null; fixes: number }>;
  }

  resolve(id: number, at: string, fixUid: string | null): void {
    this.database.prepare('UPDATE failure_steps SET resolved_at = ?, fix_uid = ? WHERE id = ?').run(at, fixUid, id);
  }
}

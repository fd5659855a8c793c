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

  resolve(id: number, at: string, fixUid: string | null): void {
    this.database.prepare('UPDATE failure_steps SET resolved_at = ?, fix_uid = ? WHERE id = ?').run(at, fixUid, id);
  }
}

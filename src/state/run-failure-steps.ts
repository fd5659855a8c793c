import type { SqliteDatabase } from './database.js';
import type { FailureStepColumns } from './failure-steps.js';

/**
 * One failed step of a run as failure memory recorded it (`failure_steps`, migrations 5 and 7), with its failure's
 * type and message (`failures`) and the fix its relaunch recorded (`failure_fixes`), for the run report.
 */
export interface RunFailureStepRow extends FailureStepColumns {
  relaunch_call: string | null;
  relaunch_job: string | null;
  relaunched_at: string | null;
  /** worked, failed, retry_worked, retry_failed, superseded; null while not relaunched or the relaunch runs. */
  outcome: string | null;
  resolved_at: string | null;
  fix_uid: string | null;
  failure_type: string | null;
  failure_message: string | null;
  fix_description: string | null;
  fix_explanation: string | null;
  fix_worked: number | null;
  fix_failed: number | null;
}

/** The run's failed steps in the order they failed. */
export function runFailureSteps(database: SqliteDatabase, runId: string): RunFailureStepRow[] {
  return database
    .prepare(
      `SELECT s.id, s.step_key, s.fingerprint, s.agent, s.delegation_id, s.failed_at, s.failed_launch, s.relaunch_call, s.relaunch_job, s.relaunched_at,
              s.change_json, s.outcome, s.resolved_at, s.fix_uid,
              f.type AS failure_type, f.message AS failure_message,
              x.description AS fix_description, x.explanation AS fix_explanation, x.worked AS fix_worked, x.failed AS fix_failed
         FROM failure_steps s
         LEFT JOIN failures f ON f.fingerprint = s.fingerprint
         LEFT JOIN failure_fixes x ON x.uid = s.fix_uid
        WHERE s.run_id = ?
        ORDER BY s.id`,
    )
    .all(runId) as RunFailureStepRow[];
}

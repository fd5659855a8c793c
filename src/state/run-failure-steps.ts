import { z } from 'zod';
import type { SqliteDatabase } from './database.js';
import { failureStepColumnsSchema } from './failure-steps.js';

/**
 * One failed step of a run as failure memory recorded it (`failure_steps`, migrations 5 and 7), with its failure's
 * type and message (`failures`) and the fix its relaunch recorded (`failure_fixes`), for the run report.
 */
const runFailureStepRowSchema = failureStepColumnsSchema.extend({
  relaunch_call: z.string().nullable(),
  relaunch_job: z.string().nullable(),
  relaunched_at: z.string().nullable(),
  /** worked, failed, retry_worked, retry_failed, superseded; null while not relaunched or the relaunch runs. */
  outcome: z.string().nullable(),
  resolved_at: z.string().nullable(),
  fix_uid: z.string().nullable(),
  failure_type: z.string().nullable(),
  failure_message: z.string().nullable(),
  fix_description: z.string().nullable(),
  fix_explanation: z.string().nullable(),
  fix_worked: z.number().int().nullable(),
  fix_failed: z.number().int().nullable(),
});
export type RunFailureStepRow = z.infer<typeof runFailureStepRowSchema>;

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
    .all(runId)
    .map((row) => runFailureStepRowSchema.parse(row));
}

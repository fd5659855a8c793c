import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

const openFailedStepSchema = z.object({
  stepKey: z.string(),
  fingerprint: z.string(),
  failedAt: z.string(),
  type: z.string().nullable(),
  message: z.string().nullable(),
  fixes: z.number().int(),
});
/** A step of a run that failed and that no later launch got past, with its failure and how many fixes worked. */
export type OpenFailedStep = z.infer<typeof openFailedStepSchema>;

/** What an agent changed between a failure and the next launch of the same step. */
export interface StepChange {
  /** Files changed, added or removed, relative to the workdir. */
  files: string[];
  /** A unified diff of them; null when nothing changed. */
  diff: string | null;
}

/** How a relaunch ended for the failure it closed. */
export type StepOutcome = 'worked' | 'failed' | 'retry_worked' | 'retry_failed' | 'superseded';

/** A failed step: what it was, how it failed, which launch failed, and the workdir's source files as they were then. */
export interface FailedStep {
  id: number;
  stepKey: string;
  fingerprint: string;
  agent: string | null;
  delegationId: string | null;
  failedAt: string;
  /** The launch that failed: a tool call's journal id, or a job as `<server>:<job id>`. */
  failedLaunch: string | null;
  /** Workdir-relative path → content at the time of the failure. */
  snapshot: Record<string, string>;
  /** The change the next launch of the step was made with; set when it was launched. */
  change: StepChange | null;
}

/**
 * The columns of a `failure_steps` row (migrations 5 and 7) that say what failed, where, and with which change.
 * `failed_launch`: a tool call's journal id, `training:<job id>`, or `<server>:<job id>`; null for steps recorded
 * before migration 7. `change_json`: `{"files": [...], "diff": string|null}`, what the agents changed between the
 * failure and the relaunch.
 */
export const failureStepColumnsSchema = z.object({
  id: z.number().int(),
  step_key: z.string(),
  fingerprint: z.string(),
  agent: z.string().nullable(),
  delegation_id: z.string().nullable(),
  failed_at: z.string(),
  failed_launch: z.string().nullable(),
  change_json: z.string().nullable(),
});
export type FailureStepColumns = z.infer<typeof failureStepColumnsSchema>;

const stepRowSchema = failureStepColumnsSchema.extend({ snapshot_json: z.string() });
type StepRow = z.infer<typeof stepRowSchema>;

/** A row read back, checked: a database another version wrote is understood or refused with the reason. */
function stepRow(row: unknown): StepRow | undefined {
  return row === undefined ? undefined : stepRowSchema.parse(row);
}

/** A launch of a step: the tool call that launched it, and the job it started once known. */
export interface LaunchRef {
  call?: string;
  job?: string;
}

/**
 * The failed steps of a run (`failure_steps`), kept in the state database so that a fix is still recognised after
 * a restart. A failed step waits for the next launch of the same step, which closes it — once — with the change
 * made since the failure; that launch's outcome then says whether the change fixed it.
 */
export class FailureSteps {
  constructor(private readonly database: SqliteDatabase) {}

  /** The step's latest failure that no launch has closed yet. */
  awaitingRelaunch(runId: string, stepKey: string): FailedStep | undefined {
    const row = this.database
      .prepare(
        'SELECT * FROM failure_steps WHERE run_id = ? AND step_key = ? AND relaunched_at IS NULL AND resolved_at IS NULL ORDER BY id DESC LIMIT 1',
      )
      .get(runId, stepKey);
    const step = stepRow(row);
    return step === undefined ? undefined : toStep(step);
  }

  /** The step keys of the run whose failures wait for a relaunch. */
  awaitingKeys(runId: string): Set<string> {
    const keys = this.database
      .prepare(
        'SELECT DISTINCT step_key FROM failure_steps WHERE run_id = ? AND relaunched_at IS NULL AND resolved_at IS NULL',
      )
      .pluck()
      .all(runId);
    return new Set(z.array(z.string()).parse(keys));
  }

  /** Records a failure of the step; an earlier failure of it that no launch closed is superseded. */
  record(runId: string, step: Omit<FailedStep, 'id' | 'change'>): void {
    this.database.transaction(() => {
      this.database
        .prepare(
          `UPDATE failure_steps SET resolved_at = ?, outcome = 'superseded' WHERE run_id = ? AND step_key = ? AND relaunched_at IS NULL AND resolved_at IS NULL`,
        )
        .run(step.failedAt, runId, step.stepKey);
      this.database
        .prepare(
          'INSERT INTO failure_steps (run_id, step_key, fingerprint, agent, delegation_id, failed_at, failed_launch, snapshot_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          runId,
          step.stepKey,
          step.fingerprint,
          step.agent,
          step.delegationId,
          step.failedAt,
          step.failedLaunch,
          JSON.stringify(step.snapshot),
        );
    })();
  }

  /** Closes a failed step: launched again by `call` at `at`, with `change`. Its outcome comes with the launch's. */
  relaunch(id: number, call: string, at: string, change: StepChange): void {
    this.database
      .prepare('UPDATE failure_steps SET relaunch_call = ?, relaunched_at = ?, change_json = ? WHERE id = ?')
      .run(call, at, JSON.stringify(change), id);
  }

  /** The relaunch by `call` started a job: its end is that launch's outcome. */
  attachJob(runId: string, call: string, job: string): void {
    this.database
      .prepare('UPDATE failure_steps SET relaunch_job = ? WHERE run_id = ? AND relaunch_call = ?')
      .run(job, runId, call);
  }

  /** The failed step that `launch` closed and whose outcome is not known yet. */
  closedBy(runId: string, launch: LaunchRef): FailedStep | undefined {
    const column = launch.job !== undefined ? 'relaunch_job' : 'relaunch_call';
    const value = launch.job ?? launch.call;
    if (value === undefined) return undefined;
    const row = this.database
      .prepare(
        `SELECT * FROM failure_steps WHERE run_id = ? AND ${column} = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT 1`,
      )
      .get(runId, value);
    const step = stepRow(row);
    return step === undefined ? undefined : toStep(step);
  }

  /** The outcome of the launch that closed the step: the fix recorded for it, if any. */
  settle(id: number, outcome: StepOutcome, at: string, fixUid: string | null): void {
    this.database
      .prepare('UPDATE failure_steps SET resolved_at = ?, outcome = ?, fix_uid = ? WHERE id = ?')
      .run(at, outcome, fixUid, id);
  }

  /** The run's failed steps that no later launch got past, oldest first, with their failure's type and message. */
  openInRun(runId: string): OpenFailedStep[] {
    return this.database
      .prepare(
        `SELECT s.step_key AS stepKey, s.fingerprint, s.failed_at AS failedAt, f.type, f.message,
                (SELECT count(*) FROM failure_fixes x WHERE x.fingerprint = s.fingerprint AND x.worked > 0) AS fixes
           FROM failure_steps s LEFT JOIN failures f ON f.fingerprint = s.fingerprint
          WHERE s.run_id = ? AND s.resolved_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM failure_steps later WHERE later.run_id = s.run_id AND later.step_key = s.step_key AND later.id > s.id)
          ORDER BY s.id`,
      )
      .all(runId)
      .map((row) => openFailedStepSchema.parse(row));
  }
}

function toStep(row: StepRow): FailedStep {
  return {
    id: row.id,
    stepKey: row.step_key,
    fingerprint: row.fingerprint,
    agent: row.agent,
    delegationId: row.delegation_id,
    failedAt: row.failed_at,
    failedLaunch: row.failed_launch,
    snapshot: JSON.parse(row.snapshot_json) as Record<string, string>,
    change: row.change_json === null ? null : (JSON.parse(row.change_json) as StepChange),
  };
}

import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

const judgedSchema = z.object({ fingerprint: z.string().nullable() });

/**
 * The background and training jobs of a run whose end failure memory has judged (`failure_job_ends`): a job's end
 * is judged once, whichever tool result or notice reported it first, and after a restart too. `fingerprint` is the
 * failure it ended with, null when it did not fail.
 */
export class FailureJobEnds {
  constructor(private readonly database: SqliteDatabase) {}

  judged(runId: string, jobKey: string): { fingerprint: string | null } | undefined {
    const row = this.database
      .prepare('SELECT fingerprint FROM failure_job_ends WHERE run_id = ? AND job_key = ?')
      .get(runId, jobKey);
    return row === undefined ? undefined : judgedSchema.parse(row);
  }

  record(runId: string, jobKey: string, fingerprint: string | null, at: string): void {
    this.database
      .prepare(
        'INSERT INTO failure_job_ends (run_id, job_key, fingerprint, judged_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(runId, jobKey, fingerprint, at);
  }
}

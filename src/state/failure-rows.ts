import { z } from 'zod';
import { FIX_SOURCES, type FailureRecord, type FixRecord } from './failure-records.js';

/**
 * The rows of failure memory's tables (migration 5) as SQLite returns them, checked on the way out and turned into
 * records: a database written by something else, or by a newer mux-swarm, fails here with the column it got wrong.
 */

const count = z.number().int();

const failureRow = z.object({
  fingerprint: z.string(),
  kind: z.string(),
  type: z.string(),
  message: z.string(),
  frame: z.string().nullable(),
  example: z.string(),
  occurrences: count,
  first_seen_at: z.string(),
  last_seen_at: z.string(),
  retry_worked: count,
  retry_failed: count,
});

const fixRow = z.object({
  id: count,
  uid: z.string(),
  fingerprint: z.string(),
  description: z.string(),
  explanation: z.string().nullable(),
  files_json: z.string(),
  diff: z.string().nullable(),
  source: z.enum(FIX_SOURCES),
  run_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  worked: count,
  failed: count,
});

const fileList = z.array(z.string());

/** A `failures` row (`SELECT *`) as a record. */
export function toFailure(row: unknown): FailureRecord {
  const failure = failureRow.parse(row);
  return {
    fingerprint: failure.fingerprint,
    kind: failure.kind,
    type: failure.type,
    message: failure.message,
    frame: failure.frame,
    example: failure.example,
    occurrences: failure.occurrences,
    firstSeenAt: failure.first_seen_at,
    lastSeenAt: failure.last_seen_at,
    retryWorked: failure.retry_worked,
    retryFailed: failure.retry_failed,
  };
}

/** A `failure_fixes` row (`SELECT *`) as a record. */
export function toFix(row: unknown): FixRecord {
  const fix = fixRow.parse(row);
  return {
    id: fix.id,
    uid: fix.uid,
    fingerprint: fix.fingerprint,
    description: fix.description,
    explanation: fix.explanation,
    files: fileList.parse(JSON.parse(fix.files_json)),
    diff: fix.diff,
    source: fix.source,
    runId: fix.run_id,
    createdAt: fix.created_at,
    updatedAt: fix.updated_at,
    worked: fix.worked,
    failed: fix.failed,
  };
}

/** The values of a one-column query (`pluck().all()`), as strings. */
export const textColumn = z.array(z.string());

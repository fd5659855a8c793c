import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { describeError, MuxSwarmError } from '../../errors/mux-swarm-error.js';

export const JOB_RECORD_SCHEMA_VERSION = 1;

/** The mux-swarm process whose server manages a job; another process re-attaches the job only once it is dead. */
const ownerSchema = z.object({
  pid: z.number().int().positive(),
  /** From /proc/<pid>/stat, so that a reused pid is not taken for the owner; null where /proc is missing. */
  processStartTime: z.string().nullable(),
});
export type JobOwner = z.infer<typeof ownerSchema>;

/** How a job ended, written when a server saw it end (a job that ends with nobody attached has only its exit file). */
const jobEndSchema = z.object({
  state: z.enum(['exited', 'killed', 'timed_out']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  exitStatusKnown: z.boolean(),
  endedAt: z.string(),
  backgroundProcessesStopped: z.boolean(),
});
export type JobEndRecord = z.infer<typeof jobEndSchema>;

/**
 * `<logDirectory>/<id>.job.json`: what a mux-swarm process started after a crash needs to re-attach to a job —
 * who it is (pid and process start time of the wrapper shell that leads its process group), where its output
 * and exit status go, and its deadline.
 */
export const jobRecordSchema = z.object({
  schemaVersion: z.literal(JOB_RECORD_SCHEMA_VERSION),
  id: z.string(),
  name: z.string().optional(),
  command: z.string(),
  pid: z.number().int().positive(),
  processStartTime: z.string().nullable(),
  startedAt: z.string(),
  timeLimitMs: z.number().int().positive().optional(),
  outputLog: z.string(),
  exitFile: z.string(),
  owner: ownerSchema,
  end: jobEndSchema.optional(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/** Writes the record atomically (temporary file, then rename): a reader finds the old record or the new one. */
export function writeJobRecord(file: string, record: JobRecord): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temporary, file);
  } catch (error) {
    throw new MuxSwarmError(
      'job-record-write-failed',
      `Could not write the record of job ${record.id} to ${file} (${describeError(error)}); without it a restarted ` +
        'mux-swarm cannot re-attach to the job. Check that the run directory is writable and the disk is not full.',
    );
  }
}

/** Reads and checks a record; throws a MuxSwarmError saying what is wrong with the file. */
export function readJobRecord(file: string): JobRecord {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MuxSwarmError(
      'job-record-unreadable',
      `The job record ${file} could not be read as JSON (${describeError(error)}).`,
    );
  }
  const version = typeof data === 'object' && data !== null && 'schemaVersion' in data ? data.schemaVersion : undefined;
  if (typeof version === 'number' && version > JOB_RECORD_SCHEMA_VERSION) {
    throw new MuxSwarmError(
      'job-record-too-new',
      `The job record ${file} has schema version ${version}, newer than this mux-swarm reads (${JOB_RECORD_SCHEMA_VERSION}); upgrade mux-swarm.`,
    );
  }
  const parsed = jobRecordSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new MuxSwarmError(
    'job-record-invalid',
    `The job record ${file} is not valid at ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'unknown problem'}.`,
  );
}

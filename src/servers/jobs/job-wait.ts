import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { Job } from './job.js';
import { describeJobState, withoutFinalNewline } from './job-status.js';

/** Longest wait_job may wait: under the MCP SDK's default request timeout of 60 s. */
export const MAX_WAIT_MS = 50_000;
export const DEFAULT_WAIT_MS = 30_000;
/** Once new output shows, a moment more so that a burst of lines comes back in one result. */
const OUTPUT_SETTLE_MS = 50;

/** Why a wait returned. */
export type WaitOutcome = 'output' | 'ended' | 'timeout' | 'cancelled';

/** `structuredContent` of wait_job. */
export const jobWaitShape = {
  job_id: z.string(),
  state: z.enum(['running', 'exited', 'killed', 'timed_out']),
  running: z.boolean(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  exit_status_unknown: z
    .boolean()
    .optional()
    .describe('The job ended unseen (e.g. while mux-swarm was not running) and left no exit status'),
  runtime_ms: z.number(),
  returned_on: z
    .enum(['output', 'ended', 'timeout', 'cancelled'])
    .describe('What ended the wait: new output, the end of the job, the timeout, or the cancelled call'),
  cursor: z.number().int().describe('Byte offset in the combined output where `output` starts'),
  next_cursor: z.number().int().describe('Pass this as `cursor` to the next wait_job to get only what follows'),
  output: z.string().describe('New stdout + stderr since `cursor`, interleaved as they came'),
  output_truncated: z.boolean().describe('The new output was longer than the limit: its middle was cut'),
  cut_bytes: z.number().int(),
  output_log: z.string().describe('The whole combined output; cut parts can be read there'),
  output_bytes: z.number().int(),
};
const jobWaitSchema = z.object(jobWaitShape);
export type JobWaitResult = z.infer<typeof jobWaitSchema>;

/**
 * Waits until the job's combined output grows past `cursor`, the job ends, `timeoutMs` passes or `signal`
 * aborts (a cancelled call: the job goes on). Returns at once when there is already output past the cursor.
 */
export async function waitForJobOutput(
  job: Job,
  cursor: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<WaitOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!job.running) return 'ended';
    if (signal?.aborted) return 'cancelled';
    if (job.log.size() > cursor) {
      await Promise.race([delay(OUTPUT_SETTLE_MS), job.ended]);
      return job.running ? 'output' : 'ended';
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return 'timeout';
    await job.waitForChange(remaining, signal);
  }
}

/** The new output from `cursor`, within `maxBytes`, and where the job stands. */
export function toJobWaitResult(job: Job, cursor: number, maxBytes: number, returnedOn: WaitOutcome): JobWaitResult {
  const running = job.running;
  const slice = job.log.read(cursor, maxBytes, !running);
  return {
    job_id: job.id,
    state: job.state,
    running,
    exit_code: job.exitCode,
    signal: job.signal,
    ...(running || job.exitStatusKnown ? {} : { exit_status_unknown: true }),
    runtime_ms: job.runtimeMs(),
    returned_on: returnedOn,
    cursor: slice.from,
    next_cursor: slice.to,
    output: slice.text,
    output_truncated: slice.cutBytes > 0,
    cut_bytes: slice.cutBytes,
    output_log: job.log.file,
    output_bytes: job.log.size(),
  };
}

export function describeJobWait(
  job: Job,
  result: JobWaitResult,
  options: { waitedMs: number; extra?: string },
): string {
  const lines = [describeJobState(job)];
  if (result.returned_on === 'timeout' && result.output.length === 0) {
    lines.push(`No new output in ${options.waitedMs} ms.`);
  }
  if (result.output_truncated) {
    lines.push(
      `The new output was too long: ${result.cut_bytes} bytes in its middle were cut (they are in ${result.output_log}).`,
    );
  }
  if (options.extra !== undefined) lines.push(options.extra);
  lines.push(
    result.running
      ? `Next: wait_job with cursor ${result.next_cursor} for what follows.`
      : `That is all of its output (${result.output_bytes} bytes, in ${result.output_log}).`,
  );
  lines.push(
    result.output.length === 0
      ? `--- new output since byte ${result.cursor}: (none) ---`
      : `--- new output, bytes ${result.cursor}–${result.next_cursor} ---\n${withoutFinalNewline(result.output)}`,
  );
  return lines.join('\n');
}

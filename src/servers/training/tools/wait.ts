import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from '../../jobs/job-wait.js';
import { guarded } from '../../tool-results.js';
import { readLogRange } from '../log-line-reader.js';
import { parseProgressLine } from '../progress-line.js';
import {
  describeProgressLines,
  describeTrainingJob,
  toTrainingStatus,
  trainingStatusShape,
} from '../training-job-view.js';
import type { TrainingJobs } from '../training-jobs.js';
import { trainingJobIdInput } from './training-job-id-input.js';

/** Progress lines one wait returns at most (the database has them all). */
const MAX_PROGRESS_LINES = 40;

/** wait: a training job's new progress and log lines since a cursor. */
export function registerWaitTool(server: McpServer, jobs: TrainingJobs): void {
  const { options } = jobs;
  server.registerTool(
    'wait',
    {
      title: 'Wait for training progress',
      description:
        'Waits for NEW progress of a training job since `cursor` (a byte offset in its log: 0 first, then the ' +
        'next_cursor returned) and returns it: the progress lines (log/eval/checkpoint/done) and the other new log ' +
        `lines. Returns early on a new progress line or when the job ends, else after timeout_ms (default ${DEFAULT_WAIT_MS}, ` +
        `at most ${MAX_WAIT_MS}). Use it instead of polling status.`,
      inputSchema: {
        job_id: trainingJobIdInput,
        cursor: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Byte offset to read from: 0 (default) or the last next_cursor.'),
        timeout_ms: z.number().int().min(0).optional().describe(`How long to wait; capped at ${MAX_WAIT_MS}.`),
      },
      outputSchema: {
        ...trainingStatusShape,
        returned_on: z.enum(['progress', 'ended', 'timeout', 'cancelled']),
        cursor: z.number().int(),
        next_cursor: z.number().int(),
        progress: z.array(z.record(z.string(), z.unknown())).describe('The new progress lines, oldest first'),
        progress_truncated: z.boolean(),
        log: z.string().describe('The new log lines that are not progress lines (the most recent, when long)'),
      },
      annotations: { readOnlyHint: true },
    },
    async (input, extra) =>
      guarded(async () => {
        const monitor = jobs.get(input.job_id);
        const cursor = input.cursor ?? 0;
        monitor.job.log.checkCursor(cursor);
        const waitedMs = Math.min(input.timeout_ms ?? DEFAULT_WAIT_MS, MAX_WAIT_MS);
        const returnedOn = await monitor.waitForProgress(cursor, waitedMs, extra.signal);
        const nextCursor = Math.max(cursor, monitor.readCursor);
        const progress = monitor
          .metricsFrom(cursor, MAX_PROGRESS_LINES + 1)
          .filter((metric) => metric.log_offset < nextCursor);
        const shown = progress.slice(-MAX_PROGRESS_LINES);
        const log = newLogLines(monitor.job.log.file, cursor, nextCursor, options.maxOutputChars);
        const status = toTrainingStatus(monitor, options.gpuHourlyUsd);
        const text = [
          describeTrainingJob(status),
          returnedOn === 'timeout' && progress.length === 0 ? `No new progress in ${waitedMs} ms.` : undefined,
          status.running ? `Next: wait with cursor ${nextCursor}.` : 'The job has ended; this is all of its progress.',
          shown.length === 0 ? '--- new progress: (none) ---' : `--- new progress ---\n${describeProgressLines(shown)}`,
          log === '' ? undefined : `--- new log lines ---\n${log}`,
        ]
          .filter((line) => line !== undefined)
          .join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: {
            ...status,
            returned_on: returnedOn,
            cursor,
            next_cursor: nextCursor,
            progress: shown.map((metric) => metric.data),
            progress_truncated: progress.length > shown.length,
            log,
          },
        };
      }),
  );
}

/** The log lines in bytes [from, to) that are not progress lines, the most recent `maxChars` of them. */
function newLogLines(file: string, from: number, to: number, maxChars: number): string {
  const start = Math.max(from, to - maxChars * 4);
  const lines = readLogRange(file, start, to).split('\n');
  if (start > from) lines[0] = '[… earlier lines cut …]';
  const kept = lines.filter((line) => line.trim() !== '' && parseProgressLine(line) === undefined).join('\n');
  return kept.length <= maxChars ? kept : `[… earlier lines cut …]\n${kept.slice(kept.length - maxChars)}`;
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guarded } from '../../tool-results.js';
import {
  DEFAULT_WAIT_MS,
  describeJobWait,
  jobWaitShape,
  MAX_WAIT_MS,
  toJobWaitResult,
  waitForJobOutput,
} from '../job-wait.js';
import { jobDetailsOf, jobIdInput, type JobToolsOptions } from './job-tool-options.js';

/** wait_job: a job's new output since a cursor, returned as soon as there is some or the job ends. */
export function registerWaitJobTool(server: McpServer, options: JobToolsOptions): void {
  server.registerTool(
    'wait_job',
    {
      title: 'Wait for job output',
      description:
        'Waits for a background job and returns only its NEW output (stdout and stderr interleaved) since `cursor`, ' +
        'a byte offset into its combined output: start with 0, then pass back `next_cursor`. Returns as soon as new ' +
        `output arrives or the job ends, else after timeout_ms (default ${DEFAULT_WAIT_MS}, at most ${MAX_WAIT_MS}). ` +
        `At most about ${options.maxOutputBytes} bytes come back per call; a longer stretch has its middle cut and ` +
        'the log file path is given. Use it to follow long jobs instead of polling job_status.',
      inputSchema: {
        job_id: jobIdInput,
        cursor: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Byte offset to read from: 0 (default) or the last next_cursor.'),
        timeout_ms: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe(`How long to wait for new output; capped at ${MAX_WAIT_MS}.`),
      },
      outputSchema: { ...jobWaitShape, ...options.details?.shape },
      annotations: { readOnlyHint: true },
    },
    async (input, extra) =>
      guarded(async () => {
        const job = options.registry.get(input.job_id);
        const cursor = input.cursor ?? 0;
        job.log.checkCursor(cursor);
        const waitedMs = Math.min(input.timeout_ms ?? DEFAULT_WAIT_MS, MAX_WAIT_MS);
        const returnedOn = await waitForJobOutput(job, cursor, waitedMs, extra.signal);
        const result = toJobWaitResult(job, cursor, options.maxOutputBytes, returnedOn);
        const details = jobDetailsOf(options, job);
        return {
          content: [
            {
              type: 'text',
              text: describeJobWait(job, result, { waitedMs, ...(details ? { extra: details.text } : {}) }),
            },
          ],
          structuredContent: { ...result, ...details?.fields },
        };
      }),
  );
}

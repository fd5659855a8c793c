import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guarded } from '../../tool-results.js';
import { jobStatusShape } from '../job-status.js';
import { jobStatusResult } from './job-status-result.js';
import { jobIdInput, type JobToolsOptions } from './job-tool-options.js';

/** Longest grace kill_job allows between SIGTERM and SIGKILL. */
const MAX_KILL_GRACE_MS = 60_000;
const DEFAULT_KILL_GRACE_MS = 5_000;

/** kill_job: stops a job and everything it started, with a grace period, and returns its final status. */
export function registerKillJobTool(server: McpServer, options: JobToolsOptions): void {
  server.registerTool(
    'kill_job',
    {
      title: 'Kill a job',
      description:
        'Stops a background job and everything it started: SIGTERM to its process group, then SIGKILL after ' +
        `grace_ms (default ${DEFAULT_KILL_GRACE_MS}, at most ${MAX_KILL_GRACE_MS}). Returns its final status.`,
      inputSchema: {
        job_id: jobIdInput,
        grace_ms: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Time to finish after SIGTERM (e.g. to save a checkpoint) before SIGKILL.'),
      },
      outputSchema: { ...jobStatusShape, ...options.details?.shape },
      annotations: { destructiveHint: true },
    },
    async (input) =>
      guarded(async () => {
        const job = options.registry.get(input.job_id);
        const wasRunning = job.running;
        await job.kill(Math.min(input.grace_ms ?? DEFAULT_KILL_GRACE_MS, MAX_KILL_GRACE_MS));
        const result = jobStatusResult(job, options);
        if (!wasRunning)
          result.content.unshift({ type: 'text', text: `Job ${job.id} had already ended; nothing was killed.` });
        return result;
      }),
  );
}

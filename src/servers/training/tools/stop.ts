import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { guarded } from '../../tool-results.js';
import { describeTrainingJob, toTrainingStatus, trainingStatusShape } from '../training-job-view.js';
import type { TrainingJobs } from '../training-jobs.js';
import { trainingJobIdInput } from './training-job-id-input.js';

/** Longest a stop call waits for the job to end; past it, the stop goes on and status tells the end. */
const MAX_STOP_WAIT_MS = 100_000;
const MAX_STOP_GRACE_MS = 30 * 60_000;

/** stop: SIGTERM with time to checkpoint, then SIGKILL; answers how the job ended. */
export function registerStopTool(server: McpServer, jobs: TrainingJobs): void {
  const { options } = jobs;
  server.registerTool(
    'stop',
    {
      title: 'Stop a training job',
      description:
        'Stops a training job: SIGTERM to its whole process group, so the trainer can save a checkpoint, then SIGKILL ' +
        `after grace_ms (default ${options.stopGraceMs}). Waits up to ${MAX_STOP_WAIT_MS / 1000} s for it to end and ` +
        'returns how it ended (stopped, with or without a checkpoint).',
      inputSchema: {
        job_id: trainingJobIdInput,
        grace_ms: z
          .number()
          .int()
          .min(0)
          .max(MAX_STOP_GRACE_MS)
          .optional()
          .describe('Time to checkpoint after SIGTERM before SIGKILL.'),
      },
      outputSchema: trainingStatusShape,
      annotations: { destructiveHint: true },
    },
    async (input) =>
      guarded(async () => {
        const monitor = jobs.get(input.job_id);
        const wasRunning = monitor.job.running;
        const stopping = monitor.stop(input.grace_ms ?? options.stopGraceMs);
        await Promise.race([stopping, delay(MAX_STOP_WAIT_MS, undefined, { ref: false })]);
        const status = toTrainingStatus(monitor, options.gpuHourlyUsd);
        const lines = [describeTrainingJob(status)];
        if (!wasRunning) lines.unshift(`Job ${status.job_id} had already ended; nothing was stopped.`);
        if (status.running)
          lines.push(`It is still saving; it gets SIGKILL when the grace period ends. Check it with status.`);
        return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: status };
      }),
  );
}

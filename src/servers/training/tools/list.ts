import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeTrainingJob, toTrainingStatus, trainingStatusShape } from '../training-job-view.js';
import type { TrainingJobs } from '../training-jobs.js';

/** list: every training job of this run, one line each. */
export function registerListTool(server: McpServer, jobs: TrainingJobs): void {
  const { options } = jobs;
  server.registerTool(
    'list',
    {
      title: 'List training jobs',
      description: 'All training jobs of this run, running and ended (re-attached ones too), one line each.',
      inputSchema: {},
      outputSchema: {
        jobs: z.array(z.object(trainingStatusShape)),
        running: z.number().int(),
        max_jobs: z.number().int(),
      },
      annotations: { readOnlyHint: true },
    },
    async () => {
      const statuses = jobs.list().map((monitor) => toTrainingStatus(monitor, options.gpuHourlyUsd));
      const running = statuses.filter((status) => status.running).length;
      const lines = [
        `${statuses.length} training job(s), ${running} running (at most ${options.maxJobs} at once).`,
        ...statuses.map((status) => `- ${describeTrainingJob(status)}`),
      ];
      for (const problem of jobs.reattachProblems) lines.push(`Not re-attached: ${problem}`);
      return {
        content: [{ type: 'text', text: lines.join('\n') }],
        structuredContent: { jobs: statuses, running, max_jobs: options.maxJobs },
      };
    },
  );
}

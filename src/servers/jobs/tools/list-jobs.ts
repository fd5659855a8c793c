import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeJobState, jobStatusShape, toJobStatus } from '../job-status.js';
import type { JobToolsOptions } from './job-tool-options.js';

/** list_jobs: every job of the server, running and ended, re-attached ones too. */
export function registerListJobsTool(server: McpServer, options: JobToolsOptions): void {
  const { registry } = options;
  server.registerTool(
    'list_jobs',
    {
      title: 'List jobs',
      description:
        'Lists the background jobs of this server, running and ended, with their state and log paths; jobs started ' +
        'before mux-swarm restarted after a crash are listed too (re-attached).',
      inputSchema: {},
      outputSchema: {
        jobs: z.array(z.object(jobStatusShape)),
        running: z.number().int(),
        max_jobs: z.number().int(),
      },
      annotations: { readOnlyHint: true },
    },
    async () => {
      const jobs = registry.list();
      const running = jobs.filter((job) => job.running).length;
      const heading = `${jobs.length} job(s), ${running} running (at most ${registry.options.maxJobs} at once).`;
      const lines = [
        heading,
        ...jobs.map((job) => `- ${describeJobState(job)}${job.reattached ? ' (re-attached after a restart)' : ''}`),
      ];
      for (const problem of registry.reattachProblems) lines.push(`Not re-attached: ${problem}`);
      return {
        content: [{ type: 'text', text: lines.join('\n') }],
        structuredContent: {
          jobs: jobs.map((job) => toJobStatus(job, { withTail: false })),
          running,
          max_jobs: registry.options.maxJobs,
        },
      };
    },
  );
}

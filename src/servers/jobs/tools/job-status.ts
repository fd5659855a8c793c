import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { guarded } from '../../tool-results.js';
import { jobStatusShape } from '../job-status.js';
import { jobStatusResult } from './job-status-result.js';
import { jobIdInput, type JobToolsOptions } from './job-tool-options.js';

/** job_status: where a background job stands. */
export function registerJobStatusTool(server: McpServer, options: JobToolsOptions): void {
  server.registerTool(
    'job_status',
    {
      title: 'Job status',
      description:
        'Where a background job stands: running, exited, killed or timed_out; pid, runtime, exit code, output sizes, ' +
        'log file paths and the last lines of output.',
      inputSchema: { job_id: jobIdInput },
      outputSchema: { ...jobStatusShape, ...options.details?.shape },
      annotations: { readOnlyHint: true },
    },
    async (input) => guarded(() => jobStatusResult(options.registry.get(input.job_id), options)),
  );
}

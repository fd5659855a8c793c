import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerJobStatusTool } from './tools/job-status.js';
import type { JobToolsOptions } from './tools/job-tool-options.js';
import { registerKillJobTool } from './tools/kill-job.js';
import { registerListJobsTool } from './tools/list-jobs.js';
import { registerSendJobInputTool } from './tools/send-job-input.js';
import { registerWaitJobTool } from './tools/wait-job.js';

/**
 * Registers job_status, wait_job, send_job_input, kill_job and list_jobs for the jobs of `registry`, and kills
 * the running jobs when the server closes (the in-process hub closes it at shutdown). The server registers its
 * own start_job, whose result `jobStartedResult` (start-job-result.ts) builds.
 */
export function registerJobTools(server: McpServer, options: JobToolsOptions): void {
  registerJobStatusTool(server, options);
  registerWaitJobTool(server, options);
  registerSendJobInputTool(server, options);
  registerKillJobTool(server, options);
  registerListJobsTool(server, options);

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    previousOnClose?.();
    void options.registry.closeAll();
  };
}

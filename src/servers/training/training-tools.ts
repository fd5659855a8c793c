import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TrainingJobs } from './training-jobs.js';
import { registerListTool } from './tools/list.js';
import { registerStartTool } from './tools/start.js';
import { registerStatusTool } from './tools/status.js';
import { registerStopTool } from './tools/stop.js';
import { registerWaitTool } from './tools/wait.js';

/** Registers start, status, list, wait and stop over `jobs`. */
export function registerTrainingTools(server: McpServer, jobs: TrainingJobs): void {
  registerStartTool(server, jobs);
  registerStatusTool(server, jobs);
  registerListTool(server, jobs);
  registerWaitTool(server, jobs);
  registerStopTool(server, jobs);
}

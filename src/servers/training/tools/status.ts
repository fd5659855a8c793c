import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { guarded } from '../../tool-results.js';
import { parseProgressLine } from '../progress-line.js';
import { describeTrainingStatus, toTrainingStatus, trainingStatusShape } from '../training-job-view.js';
import type { TrainingJobs } from '../training-jobs.js';
import { trainingJobIdInput } from './training-job-id-input.js';

/** status: where a training job stands, with the last lines of its log. */
export function registerStatusTool(server: McpServer, jobs: TrainingJobs): void {
  const { options } = jobs;
  server.registerTool(
    'status',
    {
      title: 'Training job status',
      description:
        'Where a training job stands: state, step/total, latest metrics (loss, eval_loss, learning_rate …), last ' +
        'checkpoint, time since the last progress line, GPU cost so far; for an ended job, how it ended (with the ' +
        'Python exception), and the last lines of its log.',
      inputSchema: { job_id: trainingJobIdInput },
      outputSchema: trainingStatusShape,
      annotations: { readOnlyHint: true },
    },
    async (input) =>
      guarded(() => {
        const monitor = jobs.get(input.job_id);
        const status = toTrainingStatus(monitor, options.gpuHourlyUsd);
        return {
          content: [
            {
              type: 'text',
              text: describeTrainingStatus(status, logTail(monitor.job.log.tailText(options.maxOutputChars))),
            },
          ],
          structuredContent: status,
        };
      }),
  );
}

/** The log's tail without its progress lines (the status already sums them up). */
function logTail(text: string): string {
  return text
    .split('\n')
    .filter((line) => parseProgressLine(line) === undefined)
    .join('\n');
}

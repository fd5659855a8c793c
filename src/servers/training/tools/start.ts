import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError } from '../../../errors/mux-swarm-error.js';
import { isSpawnError } from '../../jobs/spawn-failure.js';
import { errorResult } from '../../tool-results.js';
import { toTrainingStatus, trainingStatusShape } from '../training-job-view.js';
import type { TrainingJobs } from '../training-jobs.js';

/** start: a detached training job, watched for progress and stalls. */
export function registerStartTool(server: McpServer, jobs: TrainingJobs): void {
  const { options } = jobs;
  server.registerTool(
    'start',
    {
      title: 'Start a training job',
      description:
        'Starts a long training command (e.g. `python train.py --config cfg.yaml`) detached, in its own session and ' +
        'process group, and returns at once with its job id. Its output goes to a log file under the run directory. ' +
        'The trainer should print progress as JSON lines on stdout ({"event":"log","step":…,"loss":…}, eval, ' +
        'checkpoint, done — see the qlora-training skill); mux-swarm stores them, reports them, and stops a job that ' +
        'prints none for stall_timeout_ms. The job survives a restart of mux-swarm and is re-attached. When it ends ' +
        'you are told how: success, python_exception, cuda_oom, killed, stalled, stopped, timed_out or failed. ' +
        'Follow it with wait, stop it with stop (it gets time to checkpoint).',
      inputSchema: {
        command: z.string().min(1).describe('A shell command line, run with /bin/sh -c in cwd.'),
        cwd: z.string().optional().describe('Working directory, relative to the workdir (default: the workdir).'),
        env: z.record(z.string(), z.string()).optional().describe('Extra environment variables for the trainer.'),
        name: z.string().min(1).max(80).optional().describe('A short name, e.g. "qlora-r32-run1".'),
        stall_timeout_ms: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(`Stop the job when no progress line comes for this long (default ${options.stallTimeoutMs}).`),
        time_limit_ms: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Stop the job when it still runs after this long (default: no limit).'),
      },
      outputSchema: trainingStatusShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input): Promise<CallToolResult> => {
      try {
        const monitor = await jobs.start(input);
        const status = toTrainingStatus(monitor, options.gpuHourlyUsd);
        const text =
          `Started training job ${status.job_id}${status.name === undefined ? '' : ` (${status.name})`}: \`${status.command}\` (pid ${status.pid}).\n` +
          `Its output is written to ${status.log_file}.\n` +
          `Follow it with wait (job_id "${status.job_id}", cursor 0); stop it with stop. You will also be told when it ends.`;
        return { content: [{ type: 'text', text }], structuredContent: status };
      } catch (error) {
        return errorResult(
          isSpawnError(error) ? `Could not start /bin/sh for the job: ${describeError(error)}` : describeError(error),
        );
      }
    },
  );
}

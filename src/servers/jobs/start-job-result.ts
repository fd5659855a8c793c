import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { errorResult } from '../tool-results.js';
import type { Job } from './job.js';
import type { JobRegistry } from './job-registry.js';
import { toJobStatus } from './job-status.js';
import { isSpawnError } from './spawn-failure.js';

/** Inputs every start_job takes besides what to run. */
export const jobStartInput = {
  name: z.string().min(1).max(80).optional().describe('A short name to recognise the job by in list_jobs.'),
  time_limit_ms: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Kill the job (with everything it started) if it still runs after this long. Default: no limit.'),
};

/** The result of a server's start_job: the new job's status, its id, pid and log paths first. */
export function jobStartedResult(job: Job): CallToolResult {
  const status = toJobStatus(job, { withTail: false });
  const text =
    `Started job ${job.id}: \`${job.commandText}\` (pid ${job.pid}${job.timeLimitMs === undefined ? '' : `, time limit ${job.timeLimitMs} ms`}).\n` +
    `Its stdout and stderr are written to ${status.output_log}.\n` +
    `Follow it with wait_job (job_id "${job.id}", cursor 0), send input with send_job_input, stop it with kill_job.`;
  return { content: [{ type: 'text', text }], structuredContent: status };
}

/** What start_job runs: a prepared program, and the caller's optional name and time limit. */
export interface JobStartRequest {
  invocation: { file: string; args: string[]; cwd: string; commandText: string };
  input: { name?: string; time_limit_ms?: number };
  environment: Record<string, string>;
  /** Explains a program that could not be started (not found, not executable). */
  describeSpawnFailure(error: NodeJS.ErrnoException): string;
}

/** start_job's answer: the new job's status, or why it could not start (job limit, spawn failure). */
export async function startJobResult(registry: JobRegistry, request: JobStartRequest): Promise<CallToolResult> {
  const { invocation, input } = request;
  try {
    const job = await registry.start({
      file: invocation.file,
      args: invocation.args,
      cwd: invocation.cwd,
      environment: request.environment,
      commandText: invocation.commandText,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.time_limit_ms === undefined ? {} : { timeLimitMs: input.time_limit_ms }),
    });
    return jobStartedResult(job);
  } catch (error) {
    return errorResult(isSpawnError(error) ? request.describeSpawnFailure(error) : describeError(error));
  }
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { errorResult, guarded } from '../tool-results.js';
import type { Job } from './job.js';
import type { JobRegistry } from './job-registry.js';
import { isSpawnError } from './spawn-failure.js';
import { describeJobState, describeJobStatus, jobStatusShape, toJobStatus, type JobDetails } from './job-status.js';
import { DEFAULT_WAIT_MS, describeJobWait, jobWaitShape, MAX_WAIT_MS, toJobWaitResult, waitForJobOutput } from './job-wait.js';

/** Longest grace kill_job allows between SIGTERM and SIGKILL. */
const MAX_KILL_GRACE_MS = 60_000;
const DEFAULT_KILL_GRACE_MS = 5_000;

export interface JobToolsOptions {
  registry: JobRegistry;
  /** Most bytes of new output one wait_job returns; beyond it the middle is cut (the log has it all). */
  maxOutputBytes: number;
  /** Fields a server adds to status and wait results, e.g. the Python server's parsed exception. */
  details?: JobDetails;
}

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

const jobIdInput = z.string().min(1).describe('The job id start_job returned, e.g. "shell-1".');

/**
 * Registers job_status, wait_job, send_job_input, kill_job and list_jobs for the jobs of `registry`, and kills
 * the running jobs when the server closes (the in-process hub closes it at shutdown). The server registers its
 * own start_job, whose result `jobStartedResult` builds.
 */
export function registerJobTools(server: McpServer, options: JobToolsOptions): void {
  const { registry } = options;
  const detailsShape = options.details?.shape ?? {};
  const detailsOf = (job: Job): { fields: Record<string, unknown>; text: string } | undefined => options.details?.describe(job);

  server.registerTool(
    'job_status',
    {
      title: 'Job status',
      description:
        'Where a background job stands: running, exited, killed or timed_out; pid, runtime, exit code, output sizes, ' +
        'log file paths and the last lines of output.',
      inputSchema: { job_id: jobIdInput },
      outputSchema: { ...jobStatusShape, ...detailsShape },
      annotations: { readOnlyHint: true },
    },
    async (input) => guarded(() => statusResult(registry.get(input.job_id), detailsOf)),
  );

  server.registerTool(
    'wait_job',
    {
      title: 'Wait for job output',
      description:
        'Waits for a background job and returns only its NEW output (stdout and stderr interleaved) since `cursor`, ' +
        'a byte offset into its combined output: start with 0, then pass back `next_cursor`. Returns as soon as new ' +
        `output arrives or the job ends, else after timeout_ms (default ${DEFAULT_WAIT_MS}, at most ${MAX_WAIT_MS}). ` +
        `At most about ${options.maxOutputBytes} bytes come back per call; a longer stretch has its middle cut and ` +
        'the log file path is given. Use it to follow long jobs instead of polling job_status.',
      inputSchema: {
        job_id: jobIdInput,
        cursor: z.number().int().min(0).optional().describe('Byte offset to read from: 0 (default) or the last next_cursor.'),
        timeout_ms: z.number().int().min(0).optional().describe(`How long to wait for new output; capped at ${MAX_WAIT_MS}.`),
      },
      outputSchema: { ...jobWaitShape, ...detailsShape },
      annotations: { readOnlyHint: true },
    },
    async (input, extra) =>
      guarded(async () => {
        const job = registry.get(input.job_id);
        const cursor = input.cursor ?? 0;
        job.log.checkCursor(cursor);
        const waitedMs = Math.min(input.timeout_ms ?? DEFAULT_WAIT_MS, MAX_WAIT_MS);
        const returnedOn = await waitForJobOutput(job, cursor, waitedMs, extra.signal);
        const result = toJobWaitResult(job, cursor, options.maxOutputBytes, returnedOn);
        const details = detailsOf(job);
        return {
          content: [{ type: 'text', text: describeJobWait(job, result, { waitedMs, ...(details ? { extra: details.text } : {}) }) }],
          structuredContent: { ...result, ...details?.fields },
        };
      }),
  );

  server.registerTool(
    'send_job_input',
    {
      title: 'Send input to a job',
      description:
        'Writes text to a running job\'s standard input (include "\\n" to end a line), and closes its input if ' +
        'close_stdin is true (for programs that read until end of input).',
      inputSchema: {
        job_id: jobIdInput,
        text: z.string().optional().describe('Text to write; may be empty when only closing.'),
        close_stdin: z.boolean().optional().describe('Close standard input after writing (default false).'),
      },
      outputSchema: {
        job_id: z.string(),
        bytes_sent: z.number().int(),
        delivered: z.boolean().describe('The pipe took the text; false if the job is not reading (it stays queued)'),
        stdin_open: z.boolean(),
        running: z.boolean(),
      },
      annotations: { destructiveHint: true },
    },
    async (input) =>
      guarded(async () => {
        const job = registry.get(input.job_id);
        const text = input.text ?? '';
        const { delivered } = await job.writeInput(text, input.close_stdin === true);
        const bytes = Buffer.byteLength(text);
        const lines = [
          delivered
            ? `Sent ${bytes} bytes to job ${job.id}'s standard input.`
            : `Queued ${bytes} bytes for job ${job.id}: its input pipe is full, the job is not reading it now.`,
        ];
        if (input.close_stdin === true) lines.push('Its standard input is now closed.');
        lines.push('Use wait_job to see what it answers.');
        return {
          content: [{ type: 'text', text: lines.join(' ') }],
          structuredContent: { job_id: job.id, bytes_sent: bytes, delivered, stdin_open: job.stdinOpen, running: job.running },
        };
      }),
  );

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
      outputSchema: { ...jobStatusShape, ...detailsShape },
      annotations: { destructiveHint: true },
    },
    async (input) =>
      guarded(async () => {
        const job = registry.get(input.job_id);
        const wasRunning = job.running;
        await job.kill(Math.min(input.grace_ms ?? DEFAULT_KILL_GRACE_MS, MAX_KILL_GRACE_MS));
        const result = statusResult(job, detailsOf);
        if (!wasRunning) result.content.unshift({ type: 'text', text: `Job ${job.id} had already ended; nothing was killed.` });
        return result;
      }),
  );

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
      const lines = [heading, ...jobs.map((job) => `- ${describeJobState(job)}${job.reattached ? ' (re-attached after a restart)' : ''}`)];
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

  const previousOnClose = server.server.onclose;
  server.server.onclose = () => {
    previousOnClose?.();
    void registry.closeAll();
  };
}

/** The result of a server's start_job: the new job's status, its id, pid and log paths first. */
export function jobStartedResult(job: Job): CallToolResult {
  const status = toJobStatus(job, { withTail: false });
  const text =
    `Started job ${job.id}: \`${job.commandText}\` (pid ${job.pid}${job.timeLimitMs === undefined ? '' : `, time limit ${job.timeLimitMs} ms`}).\n` +
    `Its stdout and stderr are written to ${status.output_log}.\n` +
    `Follow it with wait_job (job_id "${job.id}", cursor 0), send input with send_job_input, stop it with kill_job.`;
  return { content: [{ type: 'text', text }], structuredContent: status };
}

function statusResult(job: Job, detailsOf: (job: Job) => { fields: Record<string, unknown>; text: string } | undefined) {
  const status = toJobStatus(job, { withTail: true });
  const details = detailsOf(job);
  return {
    content: [{ type: 'text' as const, text: describeJobStatus(job, status, details?.text) }],
    structuredContent: { ...status, ...details?.fields },
  };
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

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { errorResult, guarded } from '../tool-results.js';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from '../jobs/job-wait.js';
import { isSpawnError } from '../jobs/spawn-failure.js';
import { describeProgressLines, describeTrainingJob, describeTrainingStatus, toTrainingStatus, trainingStatusShape } from './training-job-view.js';
import type { TrainingJobs } from './training-jobs.js';
import { readLogRange } from './log-line-reader.js';
import { parseProgressLine } from './progress-line.js';

/** Longest a stop call waits for the job to end; past it, the stop goes on and status tells the end. */
const MAX_STOP_WAIT_MS = 100_000;
const MAX_STOP_GRACE_MS = 30 * 60_000;
/** Progress lines one wait returns at most (the database has them all). */
const MAX_PROGRESS_LINES = 40;

const jobIdInput = z.string().min(1).describe('The job id start returned, e.g. "train-1".');

/** Registers start, status, list, wait and stop over `jobs`. */
export function registerTrainingTools(server: McpServer, jobs: TrainingJobs): void {
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
        stall_timeout_ms: z.number().int().positive().optional().describe(`Stop the job when no progress line comes for this long (default ${options.stallTimeoutMs}).`),
        time_limit_ms: z.number().int().positive().optional().describe('Stop the job when it still runs after this long (default: no limit).'),
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
        return errorResult(isSpawnError(error) ? `Could not start /bin/sh for the job: ${describeError(error)}` : describeError(error));
      }
    },
  );

  server.registerTool(
    'status',
    {
      title: 'Training job status',
      description:
        'Where a training job stands: state, step/total, latest metrics (loss, eval_loss, learning_rate …), last ' +
        'checkpoint, time since the last progress line, GPU cost so far; for an ended job, how it ended (with the ' +
        'Python exception), and the last lines of its log.',
      inputSchema: { job_id: jobIdInput },
      outputSchema: trainingStatusShape,
      annotations: { readOnlyHint: true },
    },
    async (input) =>
      guarded(() => {
        const monitor = jobs.get(input.job_id);
        const status = toTrainingStatus(monitor, options.gpuHourlyUsd);
        return { content: [{ type: 'text', text: describeTrainingStatus(status, logTail(monitor.job.log.tailText(options.maxOutputChars))) }], structuredContent: status };
      }),
  );

  server.registerTool(
    'list',
    {
      title: 'List training jobs',
      description: 'All training jobs of this run, running and ended (re-attached ones too), one line each.',
      inputSchema: {},
      outputSchema: { jobs: z.array(z.object(trainingStatusShape)), running: z.number().int(), max_jobs: z.number().int() },
      annotations: { readOnlyHint: true },
    },
    async () => {
      const statuses = jobs.list().map((monitor) => toTrainingStatus(monitor, options.gpuHourlyUsd));
      const running = statuses.filter((status) => status.running).length;
      const lines = [`${statuses.length} training job(s), ${running} running (at most ${options.maxJobs} at once).`, ...statuses.map((status) => `- ${describeTrainingJob(status)}`)];
      for (const problem of jobs.reattachProblems) lines.push(`Not re-attached: ${problem}`);
      return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { jobs: statuses, running, max_jobs: options.maxJobs } };
    },
  );

  server.registerTool(
    'wait',
    {
      title: 'Wait for training progress',
      description:
        'Waits for NEW progress of a training job since `cursor` (a byte offset in its log: 0 first, then the ' +
        'next_cursor returned) and returns it: the progress lines (log/eval/checkpoint/done) and the other new log ' +
        `lines. Returns early on a new progress line or when the job ends, else after timeout_ms (default ${DEFAULT_WAIT_MS}, ` +
        `at most ${MAX_WAIT_MS}). Use it instead of polling status.`,
      inputSchema: {
        job_id: jobIdInput,
        cursor: z.number().int().min(0).optional().describe('Byte offset to read from: 0 (default) or the last next_cursor.'),
        timeout_ms: z.number().int().min(0).optional().describe(`How long to wait; capped at ${MAX_WAIT_MS}.`),
      },
      outputSchema: {
        ...trainingStatusShape,
        returned_on: z.enum(['progress', 'ended', 'timeout', 'cancelled']),
        cursor: z.number().int(),
        next_cursor: z.number().int(),
        progress: z.array(z.record(z.string(), z.unknown())).describe('The new progress lines, oldest first'),
        progress_truncated: z.boolean(),
        log: z.string().describe('The new log lines that are not progress lines (the most recent, when long)'),
      },
      annotations: { readOnlyHint: true },
    },
    async (input, extra) =>
      guarded(async () => {
        const monitor = jobs.get(input.job_id);
        const cursor = input.cursor ?? 0;
        monitor.job.log.checkCursor(cursor);
        const waitedMs = Math.min(input.timeout_ms ?? DEFAULT_WAIT_MS, MAX_WAIT_MS);
        const returnedOn = await monitor.waitForProgress(cursor, waitedMs, extra.signal);
        const nextCursor = Math.max(cursor, monitor.readCursor);
        const progress = monitor.metricsFrom(cursor, MAX_PROGRESS_LINES + 1).filter((metric) => metric.log_offset < nextCursor);
        const shown = progress.slice(-MAX_PROGRESS_LINES);
        const log = newLogLines(monitor.job.log.file, cursor, nextCursor, options.maxOutputChars);
        const status = toTrainingStatus(monitor, options.gpuHourlyUsd);
        const text = [
          describeTrainingJob(status),
          returnedOn === 'timeout' && progress.length === 0 ? `No new progress in ${waitedMs} ms.` : undefined,
          status.running ? `Next: wait with cursor ${nextCursor}.` : 'The job has ended; this is all of its progress.',
          shown.length === 0 ? '--- new progress: (none) ---' : `--- new progress ---\n${describeProgressLines(shown)}`,
          log === '' ? undefined : `--- new log lines ---\n${log}`,
        ].filter((line) => line !== undefined).join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: {
            ...status,
            returned_on: returnedOn,
            cursor,
            next_cursor: nextCursor,
            progress: shown.map((metric) => metric.data),
            progress_truncated: progress.length > shown.length,
            log,
          },
        };
      }),
  );

  server.registerTool(
    'stop',
    {
      title: 'Stop a training job',
      description:
        'Stops a training job: SIGTERM to its whole process group, so the trainer can save a checkpoint, then SIGKILL ' +
        `after grace_ms (default ${options.stopGraceMs}). Waits up to ${MAX_STOP_WAIT_MS / 1000} s for it to end and ` +
        'returns how it ended (stopped, with or without a checkpoint).',
      inputSchema: {
        job_id: jobIdInput,
        grace_ms: z.number().int().min(0).max(MAX_STOP_GRACE_MS).optional().describe('Time to checkpoint after SIGTERM before SIGKILL.'),
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
        if (status.running) lines.push(`It is still saving; it gets SIGKILL when the grace period ends. Check it with status.`);
        return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: status };
      }),
  );
}

/** The log lines in bytes [from, to) that are not progress lines, the most recent `maxChars` of them. */
function newLogLines(file: string, from: number, to: number, maxChars: number): string {
  const start = Math.max(from, to - maxChars * 4);
  const lines = readLogRange(file, start, to).split('\n');
  if (start > from) lines[0] = '[… earlier lines cut …]';
  const kept = lines.filter((line) => line.trim() !== '' && parseProgressLine(line) === undefined).join('\n');
  return kept.length <= maxChars ? kept : `[… earlier lines cut …]\n${kept.slice(kept.length - maxChars)}`;
}

function logTail(text: string): string {
  return text
    .split('\n')
    .filter((line) => parseProgressLine(line) === undefined)
    .join('\n');
}

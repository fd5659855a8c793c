import { z, type ZodRawShape } from 'zod';
import { formatDuration } from '../../text/duration.js';
import type { Job } from './job.js';

/** Characters of the latest combined output shown by job_status. */
export const STATUS_TAIL_CHARS = 2_000;

/** `structuredContent` of start_job, job_status and kill_job (and of each list_jobs entry, without `tail`). */
export const jobStatusShape = {
  job_id: z.string(),
  name: z.string().optional(),
  command: z.string().describe('What the job runs'),
  state: z.enum(['running', 'exited', 'killed', 'timed_out']),
  running: z.boolean(),
  pid: z.number().int().describe('Process id of the wrapper shell that leads the job, also its process group id'),
  started_at: z.string().describe('ISO 8601 time'),
  runtime_ms: z.number().describe('Time since the start, or from start to end once it ended'),
  time_limit_ms: z.number().optional(),
  exit_code: z
    .number()
    .int()
    .nullable()
    .describe('Exit code once ended, null while running, when ended by a signal, or unknown'),
  signal: z.string().nullable().describe('Signal that ended the job, e.g. SIGTERM, or null'),
  exit_status_unknown: z
    .boolean()
    .optional()
    .describe('True when the job ended unseen (e.g. while mux-swarm was not running) and left no exit status'),
  reattached: z
    .boolean()
    .describe(
      'Started by an earlier mux-swarm process that crashed; followed again since the restart, without its input',
    ),
  stdin_open: z.boolean().describe('Input can still be sent with send_job_input'),
  background_processes_stopped: z.boolean().describe('The job ended leaving processes in its group; they were killed'),
  output_bytes: z.number().int().describe('Bytes of stdout + stderr so far: the end cursor of wait_job'),
  output_log: z
    .string()
    .describe('stdout and stderr interleaved as written; wait_job cursors are byte offsets into it'),
  tail: z.string().optional().describe(`The last ${STATUS_TAIL_CHARS} characters of the output`),
};
const jobStatusSchema = z.object(jobStatusShape);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/**
 * What a server adds to the status and wait results of its jobs, e.g. the Python server's parsed exception.
 * `shape` holds optional fields; `describe` gives their values and a paragraph for the text, or undefined.
 */
export interface JobDetails {
  shape: ZodRawShape;
  describe(job: Job): { fields: Record<string, unknown>; text: string } | undefined;
}

export function toJobStatus(job: Job, options: { withTail: boolean }): JobStatus {
  const status: JobStatus = {
    job_id: job.id,
    command: job.commandText,
    state: job.state,
    running: job.running,
    pid: job.pid,
    started_at: job.startedAt.toISOString(),
    runtime_ms: job.runtimeMs(),
    exit_code: job.exitCode,
    signal: job.signal,
    reattached: job.reattached,
    stdin_open: job.stdinOpen,
    background_processes_stopped: job.backgroundProcessesStopped,
    output_bytes: job.log.size(),
    output_log: job.log.file,
  };
  if (job.name !== undefined) status.name = job.name;
  if (job.timeLimitMs !== undefined) status.time_limit_ms = job.timeLimitMs;
  if (!job.running && !job.exitStatusKnown) status.exit_status_unknown = true;
  if (options.withTail) status.tail = job.log.tailText(STATUS_TAIL_CHARS);
  return status;
}

/** One line: which job, what it runs, and how it stands. */
export function describeJobState(job: Job): string {
  const label = job.name === undefined ? `Job ${job.id}` : `Job ${job.id} (${job.name})`;
  const runtime = formatDuration(job.runtimeMs());
  const what = `\`${job.commandText}\``;
  switch (job.state) {
    case 'running':
      return `${label} is running ${what}: pid ${job.pid}, for ${runtime} so far.`;
    case 'timed_out':
      return `${label} reached its time limit of ${formatDuration(job.timeLimitMs ?? 0)} and was killed with its process group: ${what}.`;
    case 'killed':
      return `${label} was killed with its process group after ${runtime}${job.signal === null ? '' : ` (${job.signal})`}: ${what}.`;
    case 'exited':
      if (!job.exitStatusKnown) {
        const when = job.endedUnattended
          ? 'ended while mux-swarm was not running'
          : 'ended without a recorded exit status (its wrapper shell died with it, e.g. by SIGKILL to its group)';
        return `${label} ${when}; exit status unknown: ${what}.`;
      }
      if (job.signal !== null) return `${label} was ended by ${job.signal} after ${runtime}: ${what}.`;
      return `${label} ${job.exitCode === 0 ? 'succeeded' : 'failed'}: exit code ${job.exitCode} after ${runtime}: ${what}.`;
  }
}

/** The status as text: state, where the logs are, then the last output. */
export function describeJobStatus(job: Job, status: JobStatus, extra?: string): string {
  const lines = [describeJobState(job)];
  if (job.backgroundProcessesStopped) lines.push('It left processes running in its group; they were stopped.');
  lines.push(describeLogs(status));
  if (job.running) lines.push(describeInput(job));
  if (extra !== undefined) lines.push(extra);
  if (status.tail !== undefined) {
    const cut = status.tail.length < status.output_bytes ? ' (the last part)' : '';
    lines.push(
      status.tail.length === 0
        ? '--- output: (none yet) ---'
        : `--- output${cut} ---\n${withoutFinalNewline(status.tail)}`,
    );
  }
  return lines.join('\n');
}

export function describeLogs(status: JobStatus): string {
  return `Output: ${status.output_bytes} bytes of stdout and stderr, interleaved as written, in ${status.output_log}.`;
}

function describeInput(job: Job): string {
  if (job.reattached) {
    return 'It was started before mux-swarm restarted and re-attached since: its standard input is gone (send_job_input cannot reach it).';
  }
  return job.stdinOpen ? 'Its standard input is open (send_job_input).' : 'Its standard input is closed.';
}

export function withoutFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

import { z } from 'zod';
import type { CapturedOutput } from './output-capture.js';
import type { ProcessOutcome } from '../../supervisor/run-in-process-group.js';

/** `structuredContent` of run_command, declared as its `outputSchema`. */
export const commandResultShape = {
  exit_code: z.number().int().nullable().describe('Exit code, or null when the process was ended by a signal'),
  signal: z.string().nullable().describe('Signal that ended the process, e.g. SIGTERM, or null'),
  timed_out: z.boolean(),
  cancelled: z.boolean().describe('The call was cancelled by the client and the command killed'),
  duration_ms: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  output_truncated: z.boolean().describe('Output exceeded the limit: middles were cut, full text is in the files'),
  stdout_file: z.string().optional().describe('Full stdout, when output_truncated'),
  stderr_file: z.string().optional().describe('Full stderr, when output_truncated'),
  background_processes_stopped: z
    .boolean()
    .describe('Processes the command left running in the background were killed when it ended'),
  limit: z
    .enum(['pids', 'memory'])
    .optional()
    .describe('The sandbox limit it ran into: too many processes, or out of its memory'),
};
const commandResultSchema = z.object(commandResultShape);
export type CommandResult = z.infer<typeof commandResultSchema>;

export function toCommandResult(outcome: ProcessOutcome, output: CapturedOutput): CommandResult {
  const result: CommandResult = {
    exit_code: outcome.exitCode,
    signal: outcome.signal,
    timed_out: outcome.timedOut,
    cancelled: outcome.cancelled,
    duration_ms: outcome.durationMs,
    stdout: output.stdout,
    stderr: output.stderr,
    output_truncated: output.truncated,
    background_processes_stopped: outcome.backgroundProcessesStopped,
  };
  if (outcome.limitHit !== undefined) result.limit = outcome.limitHit;
  if (output.stdoutFile !== undefined) result.stdout_file = output.stdoutFile;
  if (output.stderrFile !== undefined) result.stderr_file = output.stderrFile;
  return result;
}

export function isFailure(result: CommandResult): boolean {
  return result.exit_code !== 0 || result.timed_out || result.cancelled || result.limit !== undefined;
}

export interface DescribeCommandOptions {
  timeoutMs: number;
  spillError?: string;
  /** What ran, for the status line: "Command" (default), "Python", … */
  subject?: string;
  /** The tool that ran it, for the note on background processes; default run_command. */
  toolName?: string;
}

/** The result as a model reads it best: one status line, then the two streams under clear headings. */
export function describeCommandResult(result: CommandResult, options: DescribeCommandOptions): string {
  const lines = [statusLine(result, options.timeoutMs, options.subject ?? 'Command')];
  if (result.background_processes_stopped) {
    lines.push(
      `Processes it left running in the background were stopped: nothing outlives a ${options.toolName ?? 'run_command'} call ` +
        '(run long jobs in the foreground with a suitable timeout_ms, or with start_job).',
    );
  }
  if (result.output_truncated) {
    const files = [result.stdout_file, result.stderr_file].filter((file) => file !== undefined);
    lines.push(
      files.length > 0
        ? `Output was too long and was cut in the middle; the full output is in ${files.join(' and ')} ` +
            '(read parts of it with grep, head, tail or sed).'
        : `Output was too long and was cut in the middle; the full output could not be saved (${options.spillError ?? 'unknown error'}).`,
    );
  }
  lines.push(section('stdout', result.stdout), section('stderr', result.stderr));
  return lines.join('\n');
}

function statusLine(result: CommandResult, timeoutMs: number, subject: string): string {
  const duration = `${result.duration_ms} ms`;
  if (result.limit === 'pids')
    return `${subject} ended at limit: pids — it started more processes than the sandbox allows, and was killed with its whole process group (${duration}).`;
  if (result.limit === 'memory')
    return `${subject} ended at limit: memory — it used more memory than the sandbox allows and was killed (${duration}).`;
  if (result.timed_out) {
    return `${subject} timed out after ${timeoutMs} ms and was killed with its whole process group (${duration}).`;
  }
  if (result.cancelled) return `${subject} was cancelled and killed with its whole process group (${duration}).`;
  if (result.signal !== null) return `${subject} was killed by ${result.signal} (${duration}).`;
  if (result.exit_code === 0) return `${subject} succeeded: exit code 0 (${duration}).`;
  return `${subject} failed: exit code ${result.exit_code} (${duration}).`;
}

function section(name: string, text: string): string {
  if (text.length === 0) return `--- ${name}: (empty) ---`;
  return `--- ${name} ---\n${text.endsWith('\n') ? text.slice(0, -1) : text}`;
}

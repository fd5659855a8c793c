import { formatDuration } from '../../text/duration.js';
import { runInProcessGroup } from '../../supervisor/run-in-process-group.js';
import type { ConditionResult } from './condition-result.js';
import { LineTail } from '../../supervisor/line-tail.js';

/** Time limit of a condition command without "within …". */
export const DEFAULT_CONDITION_COMMAND_TIME_LIMIT_MS = 120_000;
/** Lines of output kept per stream (each line cut at 2,000 characters), and lines shown in a detail. */
const KEPT_OUTPUT_LINES = 40;
const SHOWN_OUTPUT_LINES = 5;
const SHOWN_LINE_LENGTH = 300;
const KILL_GRACE_MS = 1_000;

export interface ConditionCommand {
  command: string;
  exitCode: number;
  /** Workdir (real path): the command's current directory. */
  cwd: string;
  timeLimitMs: number;
  /** The child's whole environment. */
  environment: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Runs `/bin/sh -c command` in the workdir as the leader of its own process group and compares its exit code.
 * At the time limit (or on abort) the whole group is killed; processes it leaves behind when it exits are
 * killed too, so nothing outlives the check. Only the last lines of each output stream are kept.
 */
export async function runConditionCommand(options: ConditionCommand): Promise<ConditionResult> {
  const tails = { stdout: new LineTail(KEPT_OUTPUT_LINES), stderr: new LineTail(KEPT_OUTPUT_LINES) };
  const outcome = await runInProcessGroup({
    file: '/bin/sh',
    args: ['-c', options.command],
    cwd: options.cwd,
    environment: options.environment,
    timeoutMs: options.timeLimitMs,
    ...(options.signal ? { signal: options.signal } : {}),
    capture: { append: (stream, chunk) => tails[stream].push(chunk) },
    killGraceMs: KILL_GRACE_MS,
  });
  if (outcome.spawnError)
    return {
      met: false,
      detail: `could not start /bin/sh in ${options.cwd}: ${outcome.spawnError.code ?? outcome.spawnError.message}`,
    };
  const output = describeOutput(tails.stdout.lines(), tails.stderr.lines());
  if (outcome.cancelled)
    return { met: false, detail: `cancelled before it finished; its processes were stopped${output}` };
  if (outcome.timedOut)
    return {
      met: false,
      detail: `did not finish within ${formatDuration(options.timeLimitMs)}; its processes were killed${output}`,
    };
  if (outcome.exitCode === null) return { met: false, detail: `killed by ${outcome.signal ?? 'a signal'}${output}` };
  if (outcome.exitCode === options.exitCode) return { met: true, detail: `exit code ${outcome.exitCode}` };
  return {
    met: false,
    detail: `exit code ${outcome.exitCode}${options.exitCode === 0 ? '' : `, needs ${options.exitCode}`}${output}`,
  };
}

/** The last lines of stderr, or of stdout when stderr is silent: "; last stderr lines:\n…". */
function describeOutput(stdoutLines: string[], stderrLines: string[]): string {
  const [stream, lines] = hasText(stderrLines)
    ? ['stderr', stderrLines]
    : hasText(stdoutLines)
      ? ['stdout', stdoutLines]
      : ['', []];
  if (stream === '') return '; no output';
  const shown = lines
    .filter((line) => line.trim() !== '')
    .slice(-SHOWN_OUTPUT_LINES)
    .map((line) => (line.length > SHOWN_LINE_LENGTH ? `${line.slice(0, SHOWN_LINE_LENGTH - 1)}…` : line));
  return `; last ${stream} line${shown.length === 1 ? '' : 's'}:\n${shown.join('\n')}`;
}

function hasText(lines: readonly string[]): boolean {
  return lines.some((line) => line.trim() !== '');
}

import { formatDuration } from '../../config/duration.js';
import { isProcessGroupAlive, killProcessGroup, spawnInProcessGroup } from '../../supervisor/process-group.js';
import { waitForStreamsToClose } from '../../supervisor/wait-for-streams.js';
import type { ConditionResult } from './condition-result.js';
import { LineTail } from '../../supervisor/line-tail.js';

/** Time limit of a condition command without "within …". */
export const DEFAULT_CONDITION_COMMAND_TIME_LIMIT_MS = 120_000;
/** Lines of output kept per stream (each line cut at 2,000 characters), and lines shown in a detail. */
const KEPT_OUTPUT_LINES = 40;
const SHOWN_OUTPUT_LINES = 5;
const SHOWN_LINE_LENGTH = 300;
const KILL_GRACE_MS = 1_000;
const PIPE_DRAIN_MS = 1_000;

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
export function runConditionCommand(options: ConditionCommand): Promise<ConditionResult> {
  const child = spawnInProcessGroup('/bin/sh', ['-c', options.command], { cwd: options.cwd, env: options.environment, stdio: ['ignore', 'pipe', 'pipe'] });
  const processGroupId = child.pid;
  const stdout = new LineTail(KEPT_OUTPUT_LINES);
  const stderr = new LineTail(KEPT_OUTPUT_LINES);
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let killing: Promise<void> | undefined;
    const killGroup = (): Promise<void> => {
      killing ??= processGroupId === undefined ? Promise.resolve() : killProcessGroup(processGroupId, { graceMs: KILL_GRACE_MS }).catch(() => undefined);
      return killing;
    };
    const onAbort = (): void => {
      cancelled = true;
      void killGroup();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      void killGroup();
    }, options.timeLimitMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const settle = (result: ConditionResult): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (processGroupId === undefined) settle({ met: false, detail: `could not start /bin/sh in ${options.cwd}: ${error.code ?? error.message}` });
    });
    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      void (async () => {
        if (processGroupId !== undefined && isProcessGroupAlive(processGroupId)) void killGroup();
        await killing;
        await waitForStreamsToClose([child.stdout, child.stderr], PIPE_DRAIN_MS);
        const output = describeOutput(stdout.lines(), stderr.lines());
        if (cancelled) settle({ met: false, detail: `cancelled before it finished; its processes were stopped${output}` });
        else if (timedOut) settle({ met: false, detail: `did not finish within ${formatDuration(options.timeLimitMs)}; its processes were killed${output}` });
        else if (exitCode === null) settle({ met: false, detail: `killed by ${signal ?? 'a signal'}${output}` });
        else if (exitCode === options.exitCode) settle({ met: true, detail: `exit code ${exitCode}` });
        else settle({ met: false, detail: `exit code ${exitCode}${options.exitCode === 0 ? '' : `, needs ${options.exitCode}`}${output}` });
      })();
    });
  });
}

/** The last lines of stderr, or of stdout when stderr is silent: "; last stderr lines:\n…". */
function describeOutput(stdoutLines: string[], stderrLines: string[]): string {
  const [stream, lines] = hasText(stderrLines) ? ['stderr', stderrLines] : hasText(stdoutLines) ? ['stdout', stdoutLines] : ['', []];
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

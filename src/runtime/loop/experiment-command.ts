import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDuration } from '../../text/duration.js';
import { LineTail } from '../../supervisor/line-tail.js';
import { runInProcessGroup } from '../../supervisor/run-in-process-group.js';

const SHOWN_LINES = 5;
const SHOWN_LINE_LENGTH = 300;

export interface ExperimentCommand {
  command: string;
  /** The workdir (a real path): the command's current directory. */
  cwd: string;
  environment: Record<string, string>;
  timeLimitMs: number;
  /** Where its whole output goes (stdout and stderr interleaved). */
  logFile: string;
  signal: AbortSignal;
}

/** How the command ended: `ok` when it exited 0; otherwise `detail` says how, with its last lines. */
export interface ExperimentCommandOutcome {
  ok: boolean;
  detail: string;
  durationMs: number;
}

/**
 * Runs the loop's `command` as `/bin/sh -c` in the workdir, leader of its own process group: at the time limit,
 * or when the run stops, the whole group is killed. Its output is written whole to `logFile`.
 */
export async function runExperimentCommand(options: ExperimentCommand): Promise<ExperimentCommandOutcome> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'w');
  const tail = new LineTail(40);
  let outcome;
  try {
    outcome = await runInProcessGroup({
      file: '/bin/sh',
      args: ['-c', options.command],
      cwd: options.cwd,
      environment: options.environment,
      timeoutMs: options.timeLimitMs,
      signal: options.signal,
      capture: {
        append: (_stream, chunk) => {
          writeSync(log, chunk);
          tail.push(chunk);
        },
      },
    });
  } finally {
    closeSync(log);
  }
  const lines = lastLines(tail.lines());
  const durationMs = outcome.durationMs;
  if (outcome.spawnError)
    return {
      ok: false,
      detail: `could not start /bin/sh in ${options.cwd}: ${outcome.spawnError.code ?? outcome.spawnError.message}`,
      durationMs,
    };
  if (outcome.cancelled) return { ok: false, detail: `was cancelled; its processes were stopped${lines}`, durationMs };
  if (outcome.timedOut)
    return {
      ok: false,
      detail: `did not finish within ${formatDuration(options.timeLimitMs)}; its processes were killed${lines}`,
      durationMs,
    };
  if (outcome.exitCode === null)
    return { ok: false, detail: `was killed by ${outcome.signal ?? 'a signal'}${lines}`, durationMs };
  if (outcome.exitCode !== 0) return { ok: false, detail: `exited with code ${outcome.exitCode}${lines}`, durationMs };
  return { ok: true, detail: 'exited with code 0', durationMs };
}

function lastLines(lines: string[]): string {
  const shown = lines
    .filter((line) => line.trim() !== '')
    .slice(-SHOWN_LINES)
    .map((line) => (line.length > SHOWN_LINE_LENGTH ? `${line.slice(0, SHOWN_LINE_LENGTH - 1)}…` : line));
  return shown.length === 0 ? '; no output' : `; last lines:\n${shown.join('\n')}`;
}

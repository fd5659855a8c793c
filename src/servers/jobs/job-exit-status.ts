import { constants } from 'node:os';
import { readFileSync, statSync } from 'node:fs';

export const JOB_WRAPPER_SHELL = '/bin/sh';

/**
 * The script of the shell that leads every job's process group: `sh -c JOB_WRAPPER_SCRIPT mux-swarm-job
 * <exit file> <program> <args…>`. It runs the program in the foreground — with the job's stdin, stdout and stderr
 * and default signal handling — then writes the program's exit status to the exit file, through a temporary file
 * and `mv` so that a reader sees all of it or nothing, and exits with that status.
 *
 * - The trap keeps the wrapper alive when the whole group gets SIGTERM, SIGINT or SIGHUP (kill_job, time limit):
 *   the program gets the signal too, and the wrapper records how it ended. A trap with a command (not `''`) is
 *   reset to the default in the program. SIGKILL of the group kills the wrapper too: no exit file then.
 * - The wrapper's own stderr is /dev/null (the log is kept on fd 3 and given to the program as its fd 2 in a
 *   subshell, which `exec`s it), so that its "Terminated" report of a program killed by a signal stays out of
 *   the job's log.
 * - `command -p` finds `mv` whatever PATH the job has.
 */
export const JOB_WRAPPER_SCRIPT =
  'exit_file=$1; shift; exec 3>&2 2>/dev/null; trap : HUP INT TERM; (exec "$@" 3>&-) 2>&3; status=$?; ' +
  'printf \'%s\\n\' "$status" > "$exit_file.tmp" && command -p mv -f "$exit_file.tmp" "$exit_file" 2>&3; exit "$status"';

/** The wrapper's $0, as `ps` shows it. */
export const JOB_WRAPPER_NAME = 'mux-swarm-job';

/** How a job's program ended. */
export interface JobExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** The program's end as its exit file records it, and when it was written; undefined when there is none (yet). */
export function readJobExitFile(exitFile: string): (JobExitStatus & { endedAt: Date }) | undefined {
  let text: string;
  let endedAt: Date;
  try {
    text = readFileSync(exitFile, 'utf8');
    endedAt = statSync(exitFile).mtime;
  } catch {
    return undefined;
  }
  const match = /^(\d+)\s*$/.exec(text);
  if (match === null) return undefined;
  return { ...exitStatusFromShellCode(Number(match[1])), endedAt };
}

/**
 * A shell's `$?` as exit code or signal: the shell reports a program killed by signal N as 128 + N. A program
 * that itself exits with such a code (e.g. 130) reads as killed by that signal, as shells read it.
 */
export function exitStatusFromShellCode(code: number): JobExitStatus {
  if (code > 128) {
    const signal = signalNamed(code - 128);
    if (signal !== undefined) return { exitCode: null, signal };
  }
  return { exitCode: code, signal: null };
}

function signalNamed(signalNumber: number): NodeJS.Signals | undefined {
  for (const [name, value] of Object.entries(constants.signals)) {
    if (value === signalNumber) return name as NodeJS.Signals;
  }
  return undefined;
}

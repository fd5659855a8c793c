import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { refuseExecutable, refuseShellLine } from './command-allow-list.js';
import { resolveWorkingDirectory } from './working-directory.js';

export const SHELL = '/bin/sh';

/** Inputs run_command and start_job share: what to run and where. */
export const commandInput = {
  command: z
    .string()
    .min(1)
    .optional()
    .describe(`A shell command line, run by ${SHELL} -c. Give this or argv, not both.`),
  argv: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('A program and its arguments, run without a shell (no quoting needed). Give this or command.'),
  cwd: z.string().optional().describe('Directory to run in, relative to the workdir (default: the workdir).'),
};

/** What run_command and start_job are asked to run. */
export interface CommandRequest {
  command?: string | undefined;
  argv?: string[] | undefined;
  cwd?: string | undefined;
}

export interface CommandInvocation {
  file: string;
  args: string[];
  /** Real path of the directory to run in, inside the workdir. */
  cwd: string;
  /** The command as a person reads it: the shell line, or the argv joined by spaces. */
  commandText: string;
}

export interface CommandContext {
  workdir: string;
  allowedCommands: readonly string[] | undefined;
  /** The PATH commands get, for the allow-list's look-up of bare names. */
  searchPath: string | undefined;
}

/**
 * Checks a request (exactly one of command/argv, cwd inside the workdir, programs allowed) and turns it into a
 * program and arguments; returns the reason as a string when the request is refused.
 */
export async function prepareCommand(
  request: CommandRequest,
  context: CommandContext,
): Promise<CommandInvocation | string> {
  if ((request.command === undefined) === (request.argv === undefined)) {
    return 'Give exactly one of "command" (a shell line) or "argv" (a program and its arguments).';
  }
  let cwd: string;
  try {
    cwd = await resolveWorkingDirectory(context.workdir, request.cwd);
  } catch (error) {
    return describeError(error);
  }
  const invocation: CommandInvocation =
    request.argv !== undefined
      ? { file: request.argv[0] as string, args: request.argv.slice(1), cwd, commandText: request.argv.join(' ') }
      : { file: SHELL, args: ['-c', request.command as string], cwd, commandText: request.command as string };

  if (context.allowedCommands !== undefined) {
    const allowContext = { allowedCommands: context.allowedCommands, cwd, searchPath: context.searchPath };
    const refusal =
      request.argv !== undefined
        ? refuseExecutable(invocation.file, allowContext)
        : refuseShellLine(request.command as string, allowContext);
    if (refusal !== undefined) return refusal;
  }
  return invocation;
}

/** Why a program could not be started, for the model. */
export function describeSpawnError(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return `Program "${file}" was not found on the PATH given to commands; check its name, or use "command" for a shell line.`;
  }
  if (error.code === 'EACCES') return `Program "${file}" is not executable (permission denied).`;
  return `Program "${file}" could not be started: ${error.message}`;
}

/**
 * What makes two tool calls launches of "the same step", so that a later launch can close an earlier failure: the
 * tool and what it was asked to run — the command line, or the script and its arguments. A background job's step is
 * what it runs, whichever server started it (`job:<command>`). Calls that run nothing (a file read, a Python snippet:
 * editing the snippet is the change, and there is no file to diff) are no launch: undefined.
 */
export function stepKeyOf(toolName: string, input: Record<string, unknown>): string | undefined {
  const runs = whatItRuns(input);
  if (runs === undefined) return undefined;
  return isJobStart(toolName) ? `job:${runs}` : `${toolName}:${runs}`;
}

/** The tools that start a background job: the shell's and python's `start_job`, the training server's `start`. */
export function isJobStart(toolName: string): boolean {
  return toolName.endsWith('__start_job') || toolName.endsWith('__start');
}

function whatItRuns(input: Record<string, unknown>): string | undefined {
  if (typeof input.command === 'string') return input.command.trim();
  if (typeof input.script !== 'string') return undefined;
  const args = Array.isArray(input.args) ? input.args.map(String) : [];
  return [input.script, ...args].join(' ');
}

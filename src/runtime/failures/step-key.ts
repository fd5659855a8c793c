/**
 * What makes two tool calls "the same step", so that a later launch can close an earlier failure: the tool and
 * what it was asked to run — the command line, the script and its arguments — or else all of its arguments. A
 * background job's step is what it runs, whichever server started it (`job:<command>`). A Python snippet has no
 * step: editing the snippet is the change, and there is no file to diff.
 */
export function stepKeyOf(toolName: string, input: Record<string, unknown>): string | undefined {
  const runs = whatItRuns(input);
  if (runs !== undefined) return isJobStart(toolName) ? `job:${runs}` : `${toolName}:${runs}`;
  if (typeof input.code === 'string') return undefined;
  return `${toolName}:${stableJson(input)}`;
}

/** A step that runs something (a command or a script): its launches are compared with the workdir. */
export function runsSomething(input: Record<string, unknown>): boolean {
  return whatItRuns(input) !== undefined;
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

/** JSON with object keys sorted, so that the same arguments in another order give the same key. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([left], [right]) => left.localeCompare(right));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

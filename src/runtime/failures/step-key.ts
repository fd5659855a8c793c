/**
 * What makes two tool calls "the same step", so that a success after a failure can be taken as its fix: the tool and
 * what it was asked to run — the command line, the script and its arguments — or else all of its arguments. A Python
 * snippet has no step: editing the snippet is the change, and there is no file to diff.
 */
export function stepKeyOf(toolName: string, input: Record<string, unknown>): string | undefined {
  if (typeof input.command === 'string') return `${toolName}:${input.command.trim()}`;
  if (typeof input.script === 'string') {
    const args = Array.isArray(input.args) ? input.args.map(String) : [];
    return `${toolName}:${[input.script, ...args].join(' ')}`;
  }
  if (typeof input.code === 'string') return undefined;
  return `${toolName}:${stableJson(input)}`;
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

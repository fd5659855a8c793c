/**
 * Runs `use` with a signal of its own that follows `parent`, and unhooks it afterwards. The MCP SDK adds an
 * abort listener to the signal of every request and never removes it; handing it the run-wide signal would pile
 * up one listener (and what it holds) per tool call for the whole run.
 */
export async function withCallSignal<T>(
  parent: AbortSignal | undefined,
  use: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!parent) return use(undefined);
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  try {
    return await use(controller.signal);
  } finally {
    parent.removeEventListener('abort', follow);
  }
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

const tasks = new WeakMap<McpServer, Array<() => Promise<void>>>();

/**
 * Work a built-in server must finish when it is closed and that its closer must wait for, e.g. training jobs
 * given time to save a checkpoint. (`McpServer.close()` itself does not wait for anything of the kind.)
 */
export function onServerShutdown(server: McpServer, task: () => Promise<void>): void {
  const list = tasks.get(server) ?? [];
  list.push(task);
  tasks.set(server, list);
}

/** Closes the server, then waits for its shutdown work; a task that fails does not keep the others from finishing. */
export async function shutdownServer(server: McpServer): Promise<void> {
  await server.close();
  const list = tasks.get(server) ?? [];
  tasks.delete(server);
  await Promise.allSettled(list.map((task) => task()));
}

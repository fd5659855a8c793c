/** What swarm.json grants one agent: whole servers, single tools by pattern, and tools withheld. */
export interface ToolGrant {
  mcpServers: readonly string[];
  tools: readonly string[];
  deniedTools: readonly string[];
}

/** Glob over exposed names: `*` is any run of characters, `?` one character; the whole name must match. */
export function matchesToolPattern(name: string, pattern: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`).test(name);
}

/** Nothing granted means no tools. */
export function isToolGranted(grant: ToolGrant, server: string, exposedName: string): boolean {
  if (grant.deniedTools.some((pattern) => matchesToolPattern(exposedName, pattern))) return false;
  return grant.mcpServers.includes(server) || grant.tools.some((pattern) => matchesToolPattern(exposedName, pattern));
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../config/load-config.js';
import { ToolHub } from '../tools/tool-hub.js';
import { builtinContextFor } from './builtin-context.js';

/**
 * Starts every enabled MCP server for a look (agents, status): all treated as optional, so one that fails is
 * reported rather than stopping the command. Closed (and its scratch directory removed) after `use`.
 */
export async function withInspectionHub<T>(config: LoadedConfig, use: (hub: ToolHub) => Promise<T>): Promise<T> {
  const scratch = mkdtempSync(join(tmpdir(), 'mux-swarm-inspect-'));
  const servers = Object.fromEntries(
    Object.entries(config.config.mcpServers).map(([name, entry]) => [name, { ...entry, optional: true }]),
  );
  const hub = await ToolHub.start(servers, { context: builtinContextFor(config, scratch), startupTimeoutMs: 20_000 });
  try {
    return await use(hub);
  } finally {
    await hub.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FailureMemory } from '../../failures/failure-memory.js';
import { registerRateFixTool } from './tools/rate-fix.js';
import { registerRecordFixTool } from './tools/record-fix.js';
import { registerSearchFixesTool } from './tools/search-fixes.js';

/**
 * search_fixes, record_fix, rate_fix: the failure memory of mux-swarm (docs/failure-memory.md) for agents. The
 * runtime already records failures and the fixes it sees work; these let an agent look a failure up by its text, add
 * what it knows (a fix made outside the workdir, a package installed), and say whether a fix worked.
 */
export function registerMemoryFixTools(server: McpServer, memory: FailureMemory, databasePath: string): void {
  const options = { memory, databasePath };
  registerSearchFixesTool(server, options);
  registerRecordFixTool(server, options);
  registerRateFixTool(server, options);
}

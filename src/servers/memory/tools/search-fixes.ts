import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { searchFixes } from '../../../failures/agent-fixes.js';
import { errorInput, type FixToolOptions } from './fix-tool-options.js';
import { jsonResult, runMemoryTool } from '../memory-tool-result.js';

/** search_fixes: an error looked up in failure memory, by its fingerprint or else its words. */
export function registerSearchFixesTool(server: McpServer, { memory, databasePath }: FixToolOptions): void {
  server.registerTool(
    'search_fixes',
    {
      title: 'Search known fixes',
      description:
        'Looks an error up in failure memory (this workdir and every earlier run on this machine): the same error ' +
        'at another path or line matches. Returns each matching failure with the fixes recorded for it, how often ' +
        'each worked, and the diffs.',
      inputSchema: { error: errorInput, limit: z.number().int().positive().max(20).optional() },
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    async (input) =>
      runMemoryTool({ toolName: 'search_fixes', databasePath, writes: false }, () => {
        const { matched, results } = searchFixes(memory, input.error, input.limit ?? 5);
        return jsonResult({ matched, results }, { results });
      }),
  );
}

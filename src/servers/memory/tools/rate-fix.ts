import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { rateAgentFix } from '../../../failures/agent-fixes.js';
import type { FixToolOptions } from './fix-tool-options.js';
import { jsonResult, runMemoryTool } from '../memory-tool-result.js';

/** rate_fix: whether a known fix worked this time. */
export function registerRateFixTool(server: McpServer, { memory, databasePath }: FixToolOptions): void {
  server.registerTool(
    'rate_fix',
    {
      title: 'Rate a fix',
      description:
        'Says whether a known fix (by the id search_fixes or a tool result showed, e.g. "fix 3fa2c1d9e0b7a541") worked this time.',
      inputSchema: { fix: z.string().min(1).describe('The fix id'), worked: z.boolean() },
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    async (input) =>
      runMemoryTool({ toolName: 'rate_fix', databasePath, writes: true }, () => {
        const fix = rateAgentFix(memory, input.fix, input.worked, new Date().toISOString());
        return jsonResult({ rated: fix }, { fix });
      }),
  );
}

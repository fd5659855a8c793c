import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { recordAgentFix } from '../../../failures/agent-fixes.js';
import { errorInput, type FixToolOptions } from './fix-tool-options.js';
import { jsonResult, runMemoryTool } from '../memory-tool-result.js';

/** record_fix: a fix an agent made (or tried), kept under its error's fingerprint for every later run. */
export function registerRecordFixTool(server: McpServer, { memory, databasePath }: FixToolOptions): void {
  server.registerTool(
    'record_fix',
    {
      title: 'Record a fix',
      description:
        'Records how an error was fixed, so that the next agent meeting it (in any run on this machine) is told: ' +
        'what was changed, in which files, the diff if you have one, and whether it worked. Record fixes that did ' +
        'not work too (worked: false): they keep others from repeating them.',
      inputSchema: {
        error: errorInput,
        description: z
          .string()
          .min(1)
          .describe('What was changed, e.g. "SFTConfig(max_length=2048) instead of SFTTrainer(max_seq_length=…)"'),
        explanation: z.string().optional().describe('Why it fails and why the change fixes it'),
        files: z.array(z.string()).optional().describe('Files changed, relative to the workdir'),
        diff: z.string().optional().describe('A unified diff of the change'),
        worked: z.boolean().describe('Whether the step succeeded after the change'),
      },
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    async (input) =>
      runMemoryTool({ toolName: 'record_fix', databasePath, writes: true }, () => {
        const { fix, fingerprint } = recordAgentFix(memory, input, new Date().toISOString());
        return jsonResult({ recorded: fix, fingerprint }, { fix, fingerprint });
      }),
  );
}

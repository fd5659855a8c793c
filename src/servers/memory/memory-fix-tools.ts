import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { fingerprintFailure } from '../../failures/failure-fingerprint.js';
import type { FailureMemory } from '../../state/failure-memory.js';
import type { FixRecord } from '../../state/failure-store.js';
import { jsonResult, runMemoryTool } from './memory-tool-result.js';

const errorInput = z
  .string()
  .trim()
  .min(1)
  .describe('The error as it was printed: a traceback, the error line, or a command\'s output. Paths, numbers and line numbers do not matter.');

/**
 * search_fixes, record_fix, rate_fix: the failure memory of mux-swarm (docs/failure-memory.md) for agents. The
 * runtime already records failures and the fixes it sees work; these let an agent look a failure up by its text, add
 * what it knows (a fix made outside the workdir, a package installed), and say whether a fix worked.
 */
export function registerMemoryFixTools(server: McpServer, memory: FailureMemory, databasePath: string): void {
  const context = (toolName: string, writes: boolean) => ({ toolName, databasePath, writes });

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
      runMemoryTool(context('search_fixes', false), () => {
        const fingerprint = fingerprintFailure(input.error, {});
        const exact = fingerprint === undefined ? undefined : memory.failure(fingerprint.id);
        const found = exact !== undefined ? [{ failure: exact, fixes: memory.fixesFor(exact.fingerprint) }] : memory.search(input.error, input.limit ?? 5);
        const results = found.map(({ failure, fixes }) => ({ fingerprint: failure.fingerprint, type: failure.type, message: failure.message, occurrences: failure.occurrences, fixes: fixes.map(fixView) }));
        return jsonResult({ matched: exact !== undefined ? 'fingerprint' : results.length > 0 ? 'text' : 'none', results }, { results });
      }),
  );

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
        description: z.string().min(1).describe('What was changed, e.g. "SFTConfig(max_length=2048) instead of SFTTrainer(max_seq_length=…)"'),
        explanation: z.string().optional().describe('Why it fails and why the change fixes it'),
        files: z.array(z.string()).optional().describe('Files changed, relative to the workdir'),
        diff: z.string().optional().describe('A unified diff of the change'),
        worked: z.boolean().describe('Whether the step succeeded after the change'),
      },
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    async (input) =>
      runMemoryTool(context('record_fix', true), () => {
        const fingerprint = fingerprintFailure(input.error, {}) ?? fingerprintFailure(input.error, { exitCode: 1 });
        if (fingerprint === undefined) throw new MuxSwarmError('memory_no_failure', 'record_fix: no error could be recognised in `error`; pass the error as it was printed (the traceback or the error line).');
        const { kind, type, message, frame } = fingerprint.signature;
        const at = new Date().toISOString();
        const fix = memory.recordFix(
          { fingerprint: fingerprint.id, description: input.description, explanation: input.explanation ?? null, files: input.files ?? [], diff: input.diff ?? null, source: 'agent', outcome: input.worked ? 'worked' : 'failed', at },
          { fingerprint: fingerprint.id, kind, type, message, frame },
          input.error,
        );
        return jsonResult({ recorded: fixView(fix), fingerprint: fingerprint.id }, { fix: fixView(fix), fingerprint: fingerprint.id });
      }),
  );

  server.registerTool(
    'rate_fix',
    {
      title: 'Rate a fix',
      description: 'Says whether a known fix (by the id search_fixes or a tool result showed, e.g. "fix 3fa2c1d9e0b7a541") worked this time.',
      inputSchema: { fix: z.string().min(1).describe('The fix id'), worked: z.boolean() },
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    async (input) =>
      runMemoryTool(context('rate_fix', true), () => {
        const fix = memory.rateFix(input.fix.replace(/^fix\s+/i, ''), input.worked ? 'worked' : 'failed', new Date().toISOString());
        return jsonResult({ rated: fixView(fix) }, { fix: fixView(fix) });
      }),
  );
}

function fixView(fix: FixRecord) {
  return { id: fix.uid, description: fix.description, explanation: fix.explanation, files: fix.files, diff: fix.diff, worked: fix.worked, failed: fix.failed, source: fix.source };
}

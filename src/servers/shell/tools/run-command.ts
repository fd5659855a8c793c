import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { SecretScrubber } from '../../../logging/secret-scrubber.js';
import { runInProcessGroup } from '../../../supervisor/run-in-process-group.js';
import { sandboxOrReason, type SandboxRequest } from '../../../supervisor/sandbox/sandbox-request.js';
import { errorResult } from '../../tool-results.js';
import { commandInput, describeSpawnError, prepareCommand, SHELL, type CommandContext } from '../command-invocation.js';
import { commandResultShape, describeCommandResult, isFailure, toCommandResult } from '../command-result.js';
import { OutputCapture } from '../output-capture.js';

export interface RunCommandToolOptions {
  commandContext: CommandContext;
  environment: Record<string, string>;
  /** Longest a command may run; a call's `timeout_ms` can only lower it. */
  timeoutMs: number;
  /** Most characters of stdout + stderr returned; beyond it, the full output is spilled to files in spillDir. */
  maxOutputChars: number;
  spillDir: string;
  /** " Allowed programs: …" or empty, appended to the description. */
  allowedNote: string;
  /** The sandbox commands run in; undefined: unconfined. */
  confinement?: SandboxRequest;
  /** The process's secrets, scrubbed from the output before it is kept or spilled. */
  scrubber?: SecretScrubber;
}

const runCommandInput = {
  ...commandInput,
  timeout_ms: z.number().int().positive().optional().describe("Time limit in ms; capped by the server's limit."),
  stdin: z.string().optional().describe('Text given to the command on standard input (default: none).'),
};

/** run_command: a command that finishes within the call, killed with everything it started when it returns. */
export function registerRunCommandTool(server: McpServer, options: RunCommandToolOptions): void {
  server.registerTool(
    'run_command',
    {
      title: 'Run a command',
      description:
        `Runs a command in the workdir and returns its exit code, stdout and stderr. Pass "command" for a shell ` +
        `line (pipes, &&, redirections; run by ${SHELL} -c) or "argv" for a program and its arguments without a ` +
        `shell. Times out after ${options.timeoutMs} ms at most; the command and everything it started are killed ` +
        `then, and also when it returns (background processes do not survive the call; use start_job for those). ` +
        `Output beyond ${options.maxOutputChars} characters is cut in the middle and saved in full to files whose ` +
        'paths are returned. Only a minimal environment is set (PATH, HOME, LANG, …).' +
        options.allowedNote,
      inputSchema: runCommandInput,
      outputSchema: commandResultShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input, extra) => {
      const invocation = await prepareCommand(input, options.commandContext);
      if (typeof invocation === 'string') return errorResult(invocation);
      if (extra.signal.aborted) return errorResult('The call was cancelled before the command started.');

      const timeoutMs = Math.min(input.timeout_ms ?? options.timeoutMs, options.timeoutMs);
      const capture = new OutputCapture({
        maxChars: options.maxOutputChars,
        spillDir: options.spillDir,
        ...(options.scrubber ? { scrubber: options.scrubber } : {}),
      });
      const sandbox = await sandboxOrReason(options.confinement);
      if (typeof sandbox === 'string') return errorResult(sandbox);
      const outcome = await runInProcessGroup({
        file: invocation.file,
        args: invocation.args,
        cwd: invocation.cwd,
        environment: options.environment,
        ...(sandbox === undefined ? {} : { sandbox }),
        ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
        timeoutMs,
        signal: extra.signal,
        capture,
      });
      const output = await capture.finish();
      if (outcome.spawnError !== undefined) return errorResult(describeSpawnError(invocation.file, outcome.spawnError));

      const result = toCommandResult(outcome, output);
      const text = describeCommandResult(result, {
        timeoutMs,
        ...(output.spillError === undefined ? {} : { spillError: output.spillError }),
      });
      return {
        content: [{ type: 'text', text }],
        structuredContent: result,
        ...(isFailure(result) ? { isError: true } : {}),
      };
    },
  );
}

import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import { refuseExecutable, refuseShellLine } from './command-allow-list.js';
import { commandResultShape, describeCommandResult, isFailure, toCommandResult } from './command-result.js';
import { OutputCapture } from './output-capture.js';
import { runInProcessGroup } from './run-process.js';
import { resolveWorkingDirectory } from './working-directory.js';

export interface ShellServerOptions {
  /** Commands run here by default, and may not leave it (`cwd` is checked by real path). */
  workdir: string;
  /** Longest a command may run; a call's `timeout_ms` can only lower it. */
  timeoutMs: number;
  /** Most characters of stdout + stderr returned; beyond it, the full output is spilled to files. */
  maxOutputChars: number;
  /** Executables allowed (bare names or absolute paths); undefined means any. */
  allowedCommands?: string[];
  /** Environment variables passed to commands besides the minimal set (PATH, HOME, LANG, …). */
  passEnv: string[];
  /** Where full outputs are written when they are too long to return (created on demand; relative to workdir). */
  spillDir: string;
  /** Where passEnv values are read from; default process.env. */
  environment?: NodeJS.ProcessEnv;
  /** Background jobs that may run at once. */
  maxJobs?: number;
}

const SHELL = '/bin/sh';

const runCommandInput = {
  command: z.string().min(1).optional().describe(`A shell command line, run by ${SHELL} -c. Give this or argv, not both.`),
  argv: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('A program and its arguments, run without a shell (no quoting needed). Give this or command.'),
  cwd: z.string().optional().describe('Directory to run in, relative to the workdir (default: the workdir).'),
  timeout_ms: z.number().int().positive().optional().describe('Time limit in ms; capped by the server\'s limit.'),
  stdin: z.string().optional().describe('Text given to the command on standard input (default: none).'),
};

/** The built-in shell MCP server ("shell"), with one tool: run_command. */
export function createShellServer(options: ShellServerOptions): McpServer {
  const server = new McpServer({ name: 'shell', version: '0.1.0' });
  const environment = buildChildEnvironment({ passEnv: options.passEnv, ...(options.environment ? { source: options.environment } : {}) });
  const spillDir = path.resolve(options.workdir, options.spillDir);

  server.registerTool(
    'run_command',
    {
      title: 'Run a command',
      description:
        `Runs a command in the workdir and returns its exit code, stdout and stderr. Pass "command" for a shell ` +
        `line (pipes, &&, redirections; run by ${SHELL} -c) or "argv" for a program and its arguments without a ` +
        `shell. Times out after ${options.timeoutMs} ms at most; the command and everything it started are killed ` +
        `then, and also when it returns (background processes do not survive the call). Output beyond ` +
        `${options.maxOutputChars} characters is cut in the middle and saved in full to files whose paths are ` +
        'returned. Only a minimal environment is set (PATH, HOME, LANG, …).' +
        (options.allowedCommands === undefined ? '' : ` Allowed programs: ${options.allowedCommands.join(', ')}.`),
      inputSchema: runCommandInput,
      outputSchema: commandResultShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input, extra) => {
      if ((input.command === undefined) === (input.argv === undefined)) {
        return toolError('Give exactly one of "command" (a shell line) or "argv" (a program and its arguments).');
      }
      let cwd: string;
      try {
        cwd = await resolveWorkingDirectory(options.workdir, input.cwd);
      } catch (error) {
        return toolError(describeError(error));
      }
      const [file, args] =
        input.argv !== undefined
          ? [input.argv[0] as string, input.argv.slice(1)]
          : [SHELL, ['-c', input.command as string]];

      if (options.allowedCommands !== undefined) {
        const context = { allowedCommands: options.allowedCommands, cwd, searchPath: environment.PATH };
        const refusal =
          input.argv !== undefined ? refuseExecutable(file, context) : refuseShellLine(input.command as string, context);
        if (refusal !== undefined) return toolError(refusal);
      }
      if (extra.signal.aborted) return toolError('The call was cancelled before the command started.');

      const timeoutMs = Math.min(input.timeout_ms ?? options.timeoutMs, options.timeoutMs);
      const capture = new OutputCapture({ maxChars: options.maxOutputChars, spillDir });
      const outcome = await runInProcessGroup({
        file,
        args,
        cwd,
        environment,
        ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
        timeoutMs,
        signal: extra.signal,
        capture,
      });
      const output = await capture.finish();
      if (outcome.spawnError !== undefined) return toolError(describeSpawnError(file, outcome.spawnError));

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
  return server;
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function describeSpawnError(file: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return `Program "${file}" was not found on the PATH given to commands; check its name, or use "command" for a shell line.`;
  }
  if (error.code === 'EACCES') return `Program "${file}" is not executable (permission denied).`;
  return `Program "${file}" could not be started: ${error.message}`;
}

import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { registerJobTools } from '../jobs/job-tools.js';
import { commandInput, describeSpawnError, prepareCommand, SHELL, type CommandContext } from './command-invocation.js';
import { commandResultShape, describeCommandResult, isFailure, toCommandResult } from './command-result.js';
import { OutputCapture } from './output-capture.js';
import { runInProcessGroup } from '../../supervisor/run-in-process-group.js';
import { sandboxOrReason, type SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import { registerStartJobTool } from './start-job-tool.js';
import { errorResult } from '../tool-results.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';

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
  /** Where full outputs and job logs are written (created on demand; relative to workdir). */
  spillDir: string;
  /** The sandbox commands and jobs run in (docs/sandbox.md); undefined: unconfined. */
  confinement?: SandboxRequest;
  /** Where passEnv values are read from; default process.env. */
  environment?: NodeJS.ProcessEnv;
  /** Background jobs that may run at once (default 8). */
  maxJobs?: number;
  /** The process's secrets, scrubbed from commands' output before it is kept or spilled to a file. */
  scrubber?: SecretScrubber;
}

const DEFAULT_MAX_JOBS = 8;

const runCommandInput = {
  ...commandInput,
  timeout_ms: z.number().int().positive().optional().describe('Time limit in ms; capped by the server\'s limit.'),
  stdin: z.string().optional().describe('Text given to the command on standard input (default: none).'),
};

/**
 * The built-in shell MCP server ("shell"): run_command for commands that finish within the call, and
 * start_job with job_status, wait_job, send_job_input, kill_job and list_jobs for long ones.
 */
export function createShellServer(options: ShellServerOptions): McpServer {
  const server = new McpServer({ name: 'shell', version: '0.1.0' });
  const environment = buildChildEnvironment({ passEnv: options.passEnv, ...(options.environment ? { source: options.environment } : {}) });
  const spillDir = path.resolve(options.workdir, options.spillDir);
  const commandContext: CommandContext = {
    workdir: options.workdir,
    allowedCommands: options.allowedCommands,
    searchPath: environment.PATH,
  };
  const allowedNote = options.allowedCommands === undefined ? '' : ` Allowed programs: ${options.allowedCommands.join(', ')}.`;

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
        allowedNote,
      inputSchema: runCommandInput,
      outputSchema: commandResultShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input, extra) => {
      const invocation = await prepareCommand(input, commandContext);
      if (typeof invocation === 'string') return errorResult(invocation);
      if (extra.signal.aborted) return errorResult('The call was cancelled before the command started.');

      const timeoutMs = Math.min(input.timeout_ms ?? options.timeoutMs, options.timeoutMs);
      const capture = new OutputCapture({ maxChars: options.maxOutputChars, spillDir, ...(options.scrubber ? { scrubber: options.scrubber } : {}) });
      const sandbox = await sandboxOrReason(options.confinement);
      if (typeof sandbox === 'string') return errorResult(sandbox);
      const outcome = await runInProcessGroup({
        file: invocation.file,
        args: invocation.args,
        cwd: invocation.cwd,
        environment,
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

  const registry = new JobRegistry({
    idPrefix: 'shell',
    logDirectory: path.join(spillDir, 'jobs'),
    maxJobs: options.maxJobs ?? DEFAULT_MAX_JOBS,
    serverLabel: 'shell server',
    ...(options.confinement === undefined ? {} : { sandbox: options.confinement }),
  });
  registerStartJobTool(server, { registry, commandContext, environment, allowedNote });
  registerJobTools(server, { registry, maxOutputBytes: options.maxOutputChars });
  return server;
}


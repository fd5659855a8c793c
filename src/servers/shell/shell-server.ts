import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import type { SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { registerJobTools } from '../jobs/job-tools.js';
import type { CommandContext } from './command-invocation.js';
import { registerRunCommandTool } from './tools/run-command.js';
import { registerStartJobTool } from './tools/start-job.js';

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

/**
 * The built-in shell MCP server ("shell"): run_command for commands that finish within the call, and
 * start_job with job_status, wait_job, send_job_input, kill_job and list_jobs for long ones.
 */
export function createShellServer(options: ShellServerOptions): McpServer {
  const server = new McpServer({ name: 'shell', version: '0.1.0' });
  const environment = buildChildEnvironment({
    passEnv: options.passEnv,
    ...(options.environment ? { source: options.environment } : {}),
  });
  const spillDir = path.resolve(options.workdir, options.spillDir);
  const commandContext: CommandContext = {
    workdir: options.workdir,
    allowedCommands: options.allowedCommands,
    searchPath: environment.PATH,
  };
  const allowedNote =
    options.allowedCommands === undefined ? '' : ` Allowed programs: ${options.allowedCommands.join(', ')}.`;

  registerRunCommandTool(server, {
    commandContext,
    environment,
    timeoutMs: options.timeoutMs,
    maxOutputChars: options.maxOutputChars,
    spillDir,
    allowedNote,
    ...(options.confinement === undefined ? {} : { confinement: options.confinement }),
    ...(options.scrubber === undefined ? {} : { scrubber: options.scrubber }),
  });

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

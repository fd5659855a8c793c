import type { SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PythonOptions } from '../../config/config-schema.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { registerJobTools } from '../jobs/job-tools.js';
import { resolveInterpreter } from './python-interpreter.js';
import type { PythonContext } from './python-invocation.js';
import { registerRunPythonTool } from './run-python-tool.js';
import { pythonJobDetails, registerStartPythonJobTool } from './start-python-job-tool.js';

export interface PythonServerOptions extends PythonOptions {
  /** Scripts and snippets run here by default; `cwd` may not leave it. */
  workdir: string;
  /** The sandbox scripts and jobs run in (docs/sandbox.md); undefined: unconfined. */
  confinement?: SandboxRequest;
  /** Where long outputs, code snippets and job logs are written. */
  spillDir: string;
  /** Where passEnv values are read from; default process.env. */
  environment?: NodeJS.ProcessEnv;
  /** The process's secrets: scrubbed from output before it is kept or spilled, and from the stored copy of snippets. */
  scrubber?: SecretScrubber;
}

/**
 * The built-in python MCP server ("python"): run_python for scripts and snippets that finish within the call,
 * and start_job with job_status, wait_job, send_job_input, kill_job and list_jobs for long ones. Python gets the
 * minimal environment, the passEnv names, PYTHONUNBUFFERED=1 and options.env (which wins).
 */
export function createPythonServer(options: PythonServerOptions): McpServer {
  const server = new McpServer({ name: 'python', version: '0.1.0' });
  const spillDir = path.resolve(options.workdir, options.spillDir);
  const environment = buildChildEnvironment({
    passEnv: options.passEnv,
    set: { PYTHONUNBUFFERED: '1', ...options.env },
    ...(options.environment ? { source: options.environment } : {}),
  });
  const context: PythonContext = {
    workdir: options.workdir,
    spillDir,
    interpreter: resolveInterpreter(options.interpreter, options.workdir),
    ...(options.scrubber === undefined ? {} : { scrubber: options.scrubber }),
  };

  registerRunPythonTool(server, {
    context,
    environment,
    timeoutMs: options.timeoutMs,
    maxOutputChars: options.maxOutputChars,
    ...(options.confinement === undefined ? {} : { confinement: options.confinement }),
  });

  const registry = new JobRegistry({
    idPrefix: 'python',
    logDirectory: path.join(spillDir, 'jobs'),
    maxJobs: options.maxJobs,
    serverLabel: 'python server',
    ...(options.confinement === undefined ? {} : { sandbox: options.confinement }),
  });
  registerStartPythonJobTool(server, { registry, context, environment });
  registerJobTools(server, { registry, maxOutputBytes: options.maxOutputChars, details: pythonJobDetails });
  return server;
}

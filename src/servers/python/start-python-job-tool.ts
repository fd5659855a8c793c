import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Job } from '../jobs/job.js';
import type { JobRegistry } from '../jobs/job-registry.js';
import { jobStatusShape, type JobDetails } from '../jobs/job-status.js';
import { jobStartInput, startJobResult } from '../jobs/start-job-result.js';
import { findPythonException, pythonExceptionShape } from './python-exception-result.js';
import { describeInterpreterFailure } from './python-interpreter.js';
import { preparePython, pythonSourceInput, type PythonContext } from './python-invocation.js';
import { PYTHON_TRACEBACK_TAIL_CHARACTERS } from '../../failures/python-traceback/python-traceback.js';
import { errorResult } from '../tool-results.js';
import { removePrivateSource } from './python-snippet.js';

export interface StartPythonJobToolOptions {
  registry: JobRegistry;
  context: PythonContext;
  environment: Record<string, string>;
}

/** The python server's start_job: run_python's inputs, run in the background as a job. */
export function registerStartPythonJobTool(server: McpServer, options: StartPythonJobToolOptions): void {
  const { registry, context } = options;
  server.registerTool(
    'start_job',
    {
      title: 'Start a Python job',
      description:
        'Starts a Python script ("script") or snippet ("code") in the background and returns at once with its job ' +
        'id, pid and log file paths: for training runs, servers and anything longer than a run_python call. Output ' +
        'is unbuffered, so wait_job (new output since a cursor) shows prints as they happen; its standard input stays ' +
        'open for send_job_input. Check it with job_status, stop it with kill_job; when it crashes, job_status and ' +
        `wait_job give the parsed exception. At most ${registry.options.maxJobs} jobs run at once. Running jobs are ` +
        'killed when mux-swarm stops in an orderly way; they outlive a crash of mux-swarm, which re-attaches to them ' +
        'when it restarts (list_jobs).',
      inputSchema: { ...pythonSourceInput, ...jobStartInput },
      outputSchema: jobStatusShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input): Promise<CallToolResult> => {
      const invocation = await preparePython(input, context);
      if (typeof invocation === 'string') return errorResult(invocation);
      const result = await startJobResult(registry, {
        invocation,
        input,
        environment: options.environment,
        describeSpawnFailure: (error) =>
          describeInterpreterFailure(context.interpreter, error, options.environment.PATH),
      });
      // A job that started reads and deletes the private source itself; one that did not leaves it to us.
      if (result.isError === true) await removePrivateSource(invocation.privateSource);
      return result;
    },
  );
}

/**
 * job_status, wait_job and kill_job of a Python job that exited by itself with a failure carry the exception,
 * parsed from the end of its output log (stdout and stderr interleaved; the parser skips other lines). A job we
 * killed or timed out died of our signal, not of an exception.
 */
export const pythonJobDetails: JobDetails = {
  shape: pythonExceptionShape,
  describe(job: Job) {
    if (job.state !== 'exited' || job.exitCode === 0) return undefined;
    return findPythonException(job.log.lastBytesText(PYTHON_TRACEBACK_TAIL_CHARACTERS));
  },
};

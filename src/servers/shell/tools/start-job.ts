import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { JobRegistry } from '../../jobs/job-registry.js';
import { jobStatusShape } from '../../jobs/job-status.js';
import { jobStartInput, startJobResult } from '../../jobs/start-job-result.js';
import { commandInput, describeSpawnError, prepareCommand, SHELL, type CommandContext } from '../command-invocation.js';
import { errorResult } from '../../tool-results.js';

export interface StartJobToolOptions {
  registry: JobRegistry;
  commandContext: CommandContext;
  environment: Record<string, string>;
  /** " Allowed programs: …" or empty, appended to the description. */
  allowedNote: string;
}

/** The shell server's start_job: run_command's checks and environment, but the command runs in the background. */
export function registerStartJobTool(server: McpServer, options: StartJobToolOptions): void {
  const { registry } = options;
  server.registerTool(
    'start_job',
    {
      title: 'Start a background job',
      description:
        'Starts a command in the background and returns at once with its job id, pid and log file paths: for ' +
        'servers, training runs, builds and anything longer than a run_command call. Same "command" / "argv" / ' +
        `"cwd" as run_command (${SHELL} -c for a shell line). Its standard input stays open for send_job_input; ` +
        'stdout and stderr are written to one log file. Follow it with wait_job (new output since a cursor), check ' +
        `it with job_status, stop it with kill_job. At most ${registry.options.maxJobs} jobs run at once. Running ` +
        'jobs are killed when mux-swarm stops in an orderly way; they outlive a crash of mux-swarm, which ' +
        're-attaches to them when it restarts (list_jobs).' +
        options.allowedNote,
      inputSchema: { ...commandInput, ...jobStartInput },
      outputSchema: jobStatusShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input): Promise<CallToolResult> => {
      const invocation = await prepareCommand(input, options.commandContext);
      if (typeof invocation === 'string') return errorResult(invocation);
      return startJobResult(registry, {
        invocation,
        input,
        environment: options.environment,
        describeSpawnFailure: (error) => describeSpawnError(invocation.file, error),
      });
    },
  );
}

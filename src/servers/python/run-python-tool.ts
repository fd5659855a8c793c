import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isFailure, toCommandResult } from '../shell/command-result.js';
import { OutputCapture } from '../shell/output-capture.js';
import { runInProcessGroup } from '../../supervisor/run-in-process-group.js';
import { sandboxOrReason, type SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import { describeInterpreterFailure } from './python-interpreter.js';
import { preparePython, pythonSourceInput, type PythonContext } from './python-invocation.js';
import { describePythonRun, pythonRunResultShape } from './python-run-result.js';
import { errorResult } from '../tool-results.js';
import { removePrivateSource } from './python-snippet.js';

export interface RunPythonToolOptions {
  context: PythonContext;
  environment: Record<string, string>;
  timeoutMs: number;
  maxOutputChars: number;
  /** The sandbox scripts run in; undefined: unconfined. */
  confinement?: SandboxRequest;
}

/** run_python: a script or a snippet in the foreground, like run_command, with the exception parsed on a crash. */
export function registerRunPythonTool(server: McpServer, options: RunPythonToolOptions): void {
  const { context } = options;
  server.registerTool(
    'run_python',
    {
      title: 'Run Python',
      description:
        `Runs a Python script ("script", a file in the workdir) or snippet ("code") with ${context.interpreter.configured} ` +
        'and returns its exit code, stdout and stderr; when Python crashes, the exception (type, message, the ' +
        `frame that raised it) is parsed from the traceback. Times out after ${options.timeoutMs} ms at most; ` +
        'Python and everything it started are killed then and when it returns. Output beyond ' +
        `${options.maxOutputChars} characters is cut in the middle and saved in full to files whose paths are ` +
        'returned. Output is unbuffered (PYTHONUNBUFFERED=1); only a minimal environment is set. For long runs ' +
        '(training, servers) use start_job.',
      inputSchema: {
        ...pythonSourceInput,
        timeout_ms: z.number().int().positive().optional().describe("Time limit in ms; capped by the server's limit."),
        stdin: z.string().optional().describe('Text given to Python on standard input (default: none).'),
      },
      outputSchema: pythonRunResultShape,
      annotations: { destructiveHint: true, openWorldHint: true },
    },
    async (input, extra): Promise<CallToolResult> => {
      const invocation = await preparePython(input, context);
      if (typeof invocation === 'string') return errorResult(invocation);
      if (extra.signal.aborted) {
        await removePrivateSource(invocation.privateSource);
        return errorResult('The call was cancelled before Python started.');
      }

      const timeoutMs = Math.min(input.timeout_ms ?? options.timeoutMs, options.timeoutMs);
      const capture = new OutputCapture({
        maxChars: options.maxOutputChars,
        spillDir: context.spillDir,
        namePrefix: 'python',
        ...(context.scrubber ? { scrubber: context.scrubber } : {}),
      });
      const confined = await sandboxOrReason(options.confinement);
      if (typeof confined === 'string') return errorResult(confined);
      // A snippet's private source (outside the run directory, removed once read) is bound into the sandbox.
      const sandbox =
        confined === undefined || invocation.privateSource === undefined
          ? confined
          : {
              ...confined,
              writableInside: [...(confined.writableInside ?? []), path.dirname(invocation.privateSource)],
            };
      const outcome = await runWithPrivateSource(invocation.privateSource, () =>
        runInProcessGroup({
          file: invocation.file,
          args: invocation.args,
          cwd: invocation.cwd,
          environment: options.environment,
          ...(sandbox === undefined ? {} : { sandbox }),
          ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
          timeoutMs,
          signal: extra.signal,
          capture,
        }),
      );
      const output = await capture.finish();
      if (outcome.spawnError !== undefined) {
        return errorResult(
          describeInterpreterFailure(context.interpreter, outcome.spawnError, options.environment.PATH),
        );
      }
      const command = toCommandResult(outcome, output);
      const { result, text } = await describePythonRun(command, output, {
        interpreter: invocation.file,
        script: invocation.scriptFile,
        timeoutMs,
      });
      return {
        content: [{ type: 'text', text }],
        structuredContent: result,
        ...(isFailure(command) ? { isError: true } : {}),
      };
    },
  );
}

/** Runs `run`, then deletes the private source of a snippet that held a secret, should Python not have done so. */
async function runWithPrivateSource<T>(privateSource: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await removePrivateSource(privateSource);
  }
}

import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { resolveWorkingDirectory } from '../shell/working-directory.js';
import type { PythonInterpreter } from './python-interpreter.js';
import { resolveScriptPath } from './python-script-path.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';
import { PRIVATE_SNIPPET_BOOTSTRAP, SNIPPET_BOOTSTRAP, writeSnippet } from './python-snippet.js';

/** Inputs run_python and the python start_job share: what to run, with which arguments, where. */
export const pythonSourceInput = {
  script: z
    .string()
    .min(1)
    .optional()
    .describe('A Python file to run, relative to the workdir (it must stay inside it). Give this or code, not both.'),
  code: z
    .string()
    .min(1)
    .optional()
    .describe('Python source to run as __main__ (saved to a file in the run directory first). Give this or script.'),
  args: z.array(z.string()).optional().describe('Arguments for the script: sys.argv[1:].'),
  cwd: z.string().optional().describe('Directory to run in, relative to the workdir (default: the workdir).'),
};

export interface PythonRequest {
  script?: string | undefined;
  code?: string | undefined;
  args?: string[] | undefined;
  cwd?: string | undefined;
}

export interface PythonInvocation {
  file: string;
  args: string[];
  /** Real path of the directory Python runs in. */
  cwd: string;
  /** The script's real path, or the file the code was saved to. */
  scriptFile: string;
  /** True when `code` was given (and saved to `scriptFile`). */
  snippet: boolean;
  /** A snippet that held a secret: the original code's private temporary file (see writeSnippet); Python deletes it. */
  privateSource?: string;
  /** How the run is shown: interpreter, script and arguments. */
  commandText: string;
}

export interface PythonContext {
  workdir: string;
  spillDir: string;
  interpreter: PythonInterpreter;
  /** The process's secrets: kept out of the stored copy of a snippet (and of the output, by the tools). */
  scrubber?: SecretScrubber;
}

/** Checks a request and turns it into an interpreter command line; returns the reason when it is refused. */
export async function preparePython(
  request: PythonRequest,
  context: PythonContext,
): Promise<PythonInvocation | string> {
  if ((request.script === undefined) === (request.code === undefined)) {
    return 'Give exactly one of "script" (a .py file in the workdir) or "code" (Python source to run).';
  }
  try {
    const cwd = await resolveWorkingDirectory(context.workdir, request.cwd, 'python server');
    const scriptArgs = request.args ?? [];
    const snippet = request.code !== undefined;
    const saved = snippet ? await writeSnippet(context.spillDir, request.code as string, context.scrubber) : undefined;
    const scriptFile = saved?.file ?? (await resolveScriptPath(context.workdir, request.script as string));
    const args =
      saved === undefined
        ? [scriptFile, ...scriptArgs]
        : saved.privateSource === undefined
          ? ['-c', SNIPPET_BOOTSTRAP, scriptFile, ...scriptArgs]
          : ['-c', PRIVATE_SNIPPET_BOOTSTRAP, scriptFile, saved.privateSource, ...scriptArgs];
    const commandText = [context.interpreter.configured, scriptFile, ...scriptArgs].join(' ');
    return {
      file: context.interpreter.file,
      args,
      cwd,
      scriptFile,
      snippet,
      commandText,
      ...(saved?.privateSource === undefined ? {} : { privateSource: saved.privateSource }),
    };
  } catch (error) {
    return describeError(error);
  }
}

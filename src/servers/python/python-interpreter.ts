import path from 'node:path';

/** The configured interpreter and what is run: a bare name (looked up on PATH) or an absolute path. */
export interface PythonInterpreter {
  /** As written in the options, e.g. "python3" or ".venv/bin/python". */
  configured: string;
  /** What is spawned: the bare name, or the path resolved against the workdir. */
  file: string;
}

/**
 * A name without "/" is looked up on the PATH Python gets; a path is taken relative to the workdir. The path is
 * deliberately not resolved through symbolic links: a venv's bin/python is a link to the base interpreter,
 * and Python finds the venv (pyvenv.cfg) only when started through the link.
 */
export function resolveInterpreter(configured: string, workdir: string): PythonInterpreter {
  return { configured, file: configured.includes('/') ? path.resolve(workdir, configured) : configured };
}

/** Why the interpreter could not be started, naming it and the option to change. */
export function describeInterpreterFailure(
  interpreter: PythonInterpreter,
  error: NodeJS.ErrnoException,
  searchPath: string | undefined,
): string {
  const fix =
    'Set the python server\'s "interpreter" option (options.interpreter of its entry in config.json\'s mcpServers) ' +
    'to an installed Python: a name on the PATH such as "python3", or a path such as "/venv/main/bin/python" ' +
    '(relative paths are taken from the workdir).';
  const which =
    interpreter.file === interpreter.configured
      ? `The Python interpreter "${interpreter.configured}" (options.interpreter)`
      : `The Python interpreter ${interpreter.file} (options.interpreter "${interpreter.configured}")`;
  if (error.code === 'ENOENT') {
    const where =
      interpreter.file === interpreter.configured
        ? `was not found on the PATH given to Python (${searchPath ?? 'no PATH set'})`
        : 'does not exist (or its #! line names a program that does not)';
    return `${which} ${where}. ${fix}`;
  }
  if (error.code === 'EACCES') return `${which} is not executable (permission denied). ${fix}`;
  return `${which} could not be started: ${error.message}. ${fix}`;
}

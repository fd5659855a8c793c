import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Where Node's spawn looks for a bare name when the child's environment sets no PATH. */
const DEFAULT_SEARCH_PATH = '/usr/bin:/bin';

/**
 * Where `program` is installed, for a check made ahead of any spawn (a skill's required binaries): an absolute path
 * is checked as it is; a bare name is looked up in the absolute directories of `searchPath` (a PATH value), in
 * order. Relative PATH entries are skipped, since they would depend on the current directory.
 */
export function findExecutable(program: string, searchPath: string | undefined): string | undefined {
  if (path.isAbsolute(program)) return probe(program) === 'executable' ? program : undefined;
  for (const directory of (searchPath ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(directory)) continue;
    const candidate = path.join(directory, program);
    if (probe(candidate) === 'executable') return candidate;
  }
  return undefined;
}

/**
 * The file `spawn(file)` would execute, found as execvp finds it: a name with "/" is taken relative to `cwd`, a
 * bare name is searched on `searchPath` (empty entries mean `cwd`). Jobs run their program under a wrapper
 * shell, so a missing program would otherwise only show as exit code 127 in the log; this lets start_job refuse
 * it at once. Throws an error shaped like spawn's (`code` ENOENT or EACCES, `syscall` "spawn <file>").
 *
 * The absolute path is what the wrapper then runs, so that a name such as `printf` or `echo` runs the program,
 * not the shell's builtin of that name.
 */
export function spawnTarget(file: string, searchPath: string | undefined, cwd: string): string {
  if (file.includes('/')) {
    const candidate = path.resolve(cwd, file);
    const found = probe(candidate);
    if (found === 'executable') return candidate;
    throw spawnError(file, found === 'missing' ? 'ENOENT' : 'EACCES');
  }
  let sawDenied = false;
  for (const candidate of searchCandidates(file, searchPath ?? DEFAULT_SEARCH_PATH, cwd)) {
    const found = probe(candidate);
    if (found === 'executable') return candidate;
    if (found === 'denied') sawDenied = true;
  }
  throw spawnError(file, sawDenied ? 'EACCES' : 'ENOENT');
}

/**
 * The file a shell would run for the bare name `name`: the first executable of execvp's search of `searchPath`
 * (empty entries mean `cwd`, relative ones are taken from it); undefined when there is none.
 */
export function findOnSearchPath(name: string, searchPath: string, cwd: string): string | undefined {
  for (const candidate of searchCandidates(name, searchPath, cwd))
    if (probe(candidate) === 'executable') return candidate;
  return undefined;
}

/** Where execvp looks for a bare name, in order. */
function searchCandidates(name: string, searchPath: string, cwd: string): string[] {
  return searchPath.split(':').map((directory) => path.resolve(cwd, directory === '' ? '.' : directory, name));
}

/** Only a regular file this process may execute counts; anything else there (a directory, a device) is denied, as execve denies it. */
function probe(candidate: string): 'executable' | 'denied' | 'missing' {
  try {
    if (!statSync(candidate).isFile()) return 'denied';
  } catch {
    return 'missing';
  }
  try {
    accessSync(candidate, constants.X_OK);
    return 'executable';
  } catch {
    return 'denied';
  }
}

function spawnError(file: string, code: 'ENOENT' | 'EACCES'): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`spawn ${file} ${code}`);
  error.code = code;
  error.errno = code === 'ENOENT' ? -2 : -13;
  error.syscall = `spawn ${file}`;
  error.path = file;
  return error;
}

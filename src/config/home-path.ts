import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `~` and `~/…` name the home directory (`home`, by default the process's); anything else, `~user` included (a
 * literal name), is returned as it is. For a path an agent asked for, which is resolved later against its own base.
 */
export function expandHome(path: string, home = homedir()): string {
  if (path === '~') return home;
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/**
 * An absolute path from one a person wrote in config or on the command line: `~` and `~/…` are the home directory
 * (HOME of `environment`, else the system's); anything else is resolved from `baseDirectory`.
 */
export function resolveHomePath(
  path: string,
  environment: NodeJS.ProcessEnv = process.env,
  baseDirectory = process.cwd(),
): string {
  const home = environment.HOME ?? homedir();
  return path === '~' || path.startsWith('~/') ? expandHome(path, home) : resolve(baseDirectory, path);
}

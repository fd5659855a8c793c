import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `~` and `~/…` are the home directory (HOME, else the system's); anything else is resolved from `baseDirectory`. */
export function expandHome(
  path: string,
  environment: NodeJS.ProcessEnv = process.env,
  baseDirectory = process.cwd(),
): string {
  const home = environment.HOME ?? homedir();
  if (path === '~') return home;
  return path.startsWith('~/') ? join(home, path.slice(2)) : resolve(baseDirectory, path);
}

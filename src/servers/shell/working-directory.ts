import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';

/**
 * The real path of `cwd` (relative to `workdir`, default the workdir itself), which must be a directory
 * inside the workdir once symbolic links are resolved. `serverLabel` names the server in messages.
 */
export async function resolveWorkingDirectory(
  workdir: string,
  cwd: string | undefined,
  serverLabel = 'shell server',
): Promise<string> {
  const realWorkdir = await realpath(workdir).catch((error: unknown) => {
    throw new MuxSwarmError(
      'shell-workdir-missing',
      `The ${serverLabel}'s workdir ${workdir} cannot be opened (${String(error)}); check filesystem.workdir in config.json.`,
    );
  });
  const requested = cwd ?? '.';
  const target = await realpath(path.resolve(workdir, requested)).catch(() => {
    throw new MuxSwarmError(
      'shell-cwd-missing',
      `cwd "${requested}" does not exist under the workdir ${realWorkdir}; give a directory relative to the workdir.`,
    );
  });
  const relative = path.relative(realWorkdir, target);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new MuxSwarmError(
      'shell-cwd-outside-workdir',
      `cwd "${requested}" resolves to ${target}, outside the workdir ${realWorkdir}; the ${serverLabel} runs programs only inside the workdir.`,
    );
  }
  if (!(await stat(target)).isDirectory()) {
    throw new MuxSwarmError('shell-cwd-not-directory', `cwd "${requested}" is not a directory.`);
  }
  return target;
}

import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';

/** The real path of `script` (relative to the workdir), which must be a file inside the workdir once links are resolved. */
export async function resolveScriptPath(workdir: string, script: string): Promise<string> {
  const realWorkdir = await realpath(workdir).catch((error: unknown) => {
    throw new MuxSwarmError(
      'python-workdir-missing',
      `The python server's workdir ${workdir} cannot be opened (${String(error)}); check filesystem.workdir in config.json.`,
    );
  });
  const target = await realpath(path.resolve(realWorkdir, script)).catch(() => {
    throw new MuxSwarmError(
      'python-script-missing',
      `Script "${script}" does not exist under the workdir ${realWorkdir}; give the path of a .py file relative to the workdir, or pass "code".`,
    );
  });
  const relative = path.relative(realWorkdir, target);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new MuxSwarmError(
      'python-script-outside-workdir',
      `Script "${script}" resolves to ${target}, outside the workdir ${realWorkdir}; the python server runs only scripts inside the workdir.`,
    );
  }
  if (!(await stat(target)).isFile()) {
    throw new MuxSwarmError('python-script-not-file', `Script "${script}" (${target}) is not a file.`);
  }
  return target;
}

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';

/**
 * Runs the snippet file given as the first argument in the `__main__` module itself, with `sys.argv` = [file,
 * args…] and `__file__` set. Going through `-c` keeps Python's `-c` search path (the working directory first, so
 * the workdir's modules import as from a shell); compiling the file keeps its name and source lines in
 * tracebacks; running in the real `__main__` with its `__file__` lets multiprocessing's spawn and forkserver
 * workers re-import the snippet and find its functions. The bootstrap leaves one `<string>` frame outermost.
 */
export const SNIPPET_BOOTSTRAP = [
  'import sys as _sys',
  '_sys.argv.pop(0)',
  '__file__ = _sys.argv[0]',
  'del _sys',
  'exec(compile(__import__("pathlib").Path(__file__).read_bytes(), __file__, "exec"))',
].join('\n');

/** Writes `code` to a new `<spillDir>/python/snippet-<time>-<random>.py` and returns its path. */
export async function writeSnippet(spillDir: string, code: string): Promise<string> {
  const directory = path.join(spillDir, 'python');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(directory, `snippet-${stamp}-${randomBytes(3).toString('hex')}.py`);
  try {
    await mkdir(directory, { recursive: true });
    await writeFile(file, code.endsWith('\n') ? code : `${code}\n`, { flag: 'wx' });
  } catch (error) {
    throw new MuxSwarmError(
      'python-snippet-write-failed',
      `Could not write the code to ${file} (${String(error)}); check that the run directory is writable.`,
    );
  }
  return file;
}

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';

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

/**
 * SNIPPET_BOOTSTRAP for a snippet that holds a secret: the first argument is the run directory's scrubbed copy
 * (`__file__`, the name tracebacks show, their source lines read from it: "[REDACTED]" where the secret was), the
 * second the original code in a private temporary file, which is read and deleted (with its directory) before the
 * code runs. Only the scrubbed copy outlives the start; multiprocessing workers that re-import `__main__` get it.
 */
export const PRIVATE_SNIPPET_BOOTSTRAP = [
  'import sys as _sys, os as _os',
  '_sys.argv.pop(0)',
  '__file__ = _sys.argv[0]',
  '_source = _sys.argv.pop(1)',
  'with open(_source, "rb") as _file: _code = _file.read()',
  '_os.unlink(_source)',
  'try: _os.rmdir(_os.path.dirname(_source))',
  'except OSError: pass',
  'del _sys, _os, _source, _file',
  'exec(compile(globals().pop("_code"), __file__, "exec"))',
].join('\n');

/** Where a snippet was saved. */
export interface SavedSnippet {
  /** `<spillDir>/python/snippet-<time>-<random>.py`: the code, with the process's secrets replaced by "[REDACTED]". */
  file: string;
  /**
   * Only when the code held a secret: the original code, in a new private temporary directory (mode 0700, outside the
   * run directory), for PRIVATE_SNIPPET_BOOTSTRAP to read and delete. Absent: `file` is the code itself and runs.
   */
  privateSource?: string;
}

/**
 * Writes `code` to a new `<spillDir>/python/snippet-<time>-<random>.py`. The run directory keeps the record of what
 * ran, so it never holds a secret: when the scrubber finds one in the code, the file holds the scrubbed copy and
 * the code that runs — unchanged, the secret in it — goes to a private temporary file instead (see SavedSnippet).
 */
export async function writeSnippet(spillDir: string, code: string, scrubber?: SecretScrubber): Promise<SavedSnippet> {
  const directory = path.join(spillDir, 'python');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `snippet-${stamp}-${randomBytes(3).toString('hex')}.py`;
  const file = path.join(directory, name);
  const text = code.endsWith('\n') ? code : `${code}\n`;
  const scrubbed = scrubber === undefined ? text : scrubber.text(text);
  try {
    await mkdir(directory, { recursive: true });
    await writeFile(file, scrubbed, { flag: 'wx' });
  } catch (error) {
    throw new MuxSwarmError(
      'python-snippet-write-failed',
      `Could not write the code to ${file} (${String(error)}); check that the run directory is writable.`,
    );
  }
  if (scrubbed === text) return { file };
  let privateDirectory: string | undefined;
  try {
    privateDirectory = await mkdtemp(path.join(tmpdir(), 'mux-swarm-snippet-'));
    const privateSource = path.join(privateDirectory, name);
    await writeFile(privateSource, text, { flag: 'wx', mode: 0o600 });
    return { file, privateSource };
  } catch (error) {
    if (privateDirectory !== undefined) await rm(privateDirectory, { recursive: true, force: true });
    throw new MuxSwarmError(
      'python-snippet-write-failed',
      `Could not write the code to a temporary file (${String(error)}); check that ${tmpdir()} is writable.`,
    );
  }
}

/** Deletes a private source the bootstrap did not (Python never started, or the call was refused): idempotent. */
export async function removePrivateSource(privateSource: string | undefined): Promise<void> {
  if (privateSource !== undefined) await rm(path.dirname(privateSource), { recursive: true, force: true });
}

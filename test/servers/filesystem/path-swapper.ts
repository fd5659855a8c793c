/**
 * A child process that swaps two paths as fast as it can for a while: the race any local process with a shell
 * can run against the filesystem server, between its path checks and its opens. It calls
 * renameat2(RENAME_EXCHANGE), which swaps two names atomically (neither is ever missing), through Python's
 * ctypes, so nothing needs compiling.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const exchangeFunction = String.raw`
import ctypes, os, sys, time

libc = ctypes.CDLL(None, use_errno=True)
renameat2 = libc.renameat2
renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
AT_FDCWD, RENAME_EXCHANGE = -100, 2

def exchange(first, second):
    if renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
`;

const swapperProgram = `${exchangeFunction}
first, second, seconds = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), float(sys.argv[3])
exchange(first, second)
exchange(first, second)
print('ready', flush=True)
swaps = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    for _ in range(64):
        exchange(first, second)
    swaps += 64
print(swaps, flush=True)
`;

export interface SwapperRun {
  /** Resolves with the number of swaps done once the swapper has stopped; rejects if it failed. */
  finished: Promise<number>;
}

/**
 * Why the swapper cannot run here, or undefined when it can: it needs Linux, python3 with ctypes, and a
 * temporary directory whose filesystem can exchange a directory with a symbolic link (tried once here).
 */
export function swapperUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the swapper needs Linux (renameat2)';
  const directory = mkdtempSync(path.join(os.tmpdir(), 'mux-swarm-swapper-'));
  try {
    mkdirSync(path.join(directory, 'dir'));
    symlinkSync(directory, path.join(directory, 'link'));
    const program = `${exchangeFunction}\nexchange(os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]))\n`;
    const probe = spawnSync('python3', ['-c', program, path.join(directory, 'dir'), path.join(directory, 'link')], {
      encoding: 'utf8',
    });
    if (probe.status !== 0)
      return `the swapper cannot exchange paths here (python3 with ctypes and renameat2): ${probe.stderr || String(probe.error)}`;
    return undefined;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Starts swapping `first` and `second` (both must exist) for `seconds`; resolves once the first swaps
 * succeeded and the loop is running.
 */
export async function startSwapper(first: string, second: string, seconds: number): Promise<SwapperRun> {
  const child = spawn('python3', ['-c', swapperProgram, first, second, String(seconds)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const count = Number(output[1]);
      if (code === 0 && Number.isInteger(count)) resolve(count);
      else reject(new Error(`the swapper failed (exit ${String(code)}): ${output.join(' ')} ${stderr}`));
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      output.push(line);
      if (output.length === 1) resolve();
    });
    exited.then(() => reject(new Error('the swapper stopped before it was ready')), reject);
  });
  await ready;
  return { finished: exited };
}

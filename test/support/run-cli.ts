import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
export const CLI = join(REPOSITORY_ROOT, 'bin', 'mux-swarm');

/**
 * The HOME of the CLIs a test file runs: its own empty directory, so that what mux-swarm keeps in the home directory
 * (the user failure memory ~/.mux-swarm/memory.db, user skills) neither leaks between test files nor reaches the
 * developer's own home. A test passes its own HOME to share one between runs.
 */
export const TEST_HOME = mkdtempSync(join(tmpdir(), 'mux-swarm-home-'));
process.once('exit', () => rmSync(TEST_HOME, { recursive: true, force: true }));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`bin/mux-swarm`, i.e. dist/) as a child process, the way a user or CI does. The
 * environment is explicit: only PATH, HOME (TEST_HOME unless the test passes one) and what the test passes.
 */
export function runCli(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    stdin?: string;
    timeoutMs?: number;
    onSpawn?: (child: ChildProcess) => void;
  },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: TEST_HOME, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `mux-swarm ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
    options.onSpawn?.(child);
  });
}

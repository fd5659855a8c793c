import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { CliResult } from './run-cli.js';
import { TEST_HOME } from './run-cli.js';

/**
 * Runs an installed `mux-swarm` (a prefix's bin/mux-swarm, through its `#!/usr/bin/env node` line) the way a user's
 * shell does: PATH with the prefix's bin first, the test's HOME, nothing else from the test's environment.
 */
export function runInstalled(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        PATH: `${dirname(command)}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: TEST_HOME,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

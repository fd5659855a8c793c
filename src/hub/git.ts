import { spawn } from 'node:child_process';
import { HubError } from './hub-error.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  /** Resolve with the exit code instead of throwing when git fails. */
  allowFailure?: boolean;
  /** Receives stdout as it comes (then `stdout` in the result is empty): for diffs too big to buffer. */
  onStdout?: (chunk: Buffer) => void;
  input?: string;
  env?: Record<string, string>;
}

/**
 * Runs `git -C <repo> <args>` without a shell, never prompting, and with hooks' output kept. Throws `git_failed`
 * naming the command and git's stderr unless `allowFailure`.
 */
export function git(repo: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repo, ...args], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : stdout.push(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new HubError('git_failed', `cannot run git: ${error.message}`)));
    child.on('close', (code) => {
      const result = { code: code ?? 1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new HubError('git_failed', `git ${args.join(' ')} failed in ${repo} (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`));
      } else {
        resolve(result);
      }
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // git may exit without reading it all
      child.stdin.end(options.input);
    }
  });
}

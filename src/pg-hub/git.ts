import { runGit } from '../supervisor/run-git.js';
import { PgHubError } from '../errors/pg-hub-error.js';

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
export async function git(repo: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const outcome = await runGit(['-C', repo, ...args], {
    env: { GIT_ASKPASS: 'true', LC_ALL: 'C', ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.onStdout === undefined ? {} : { onStdout: options.onStdout }),
  });
  if (outcome.spawnError !== undefined)
    throw new PgHubError('git_failed', `cannot run git: ${outcome.spawnError.message}`);
  const result = { code: outcome.code ?? 1, stdout: outcome.stdout, stderr: outcome.stderr };
  if (result.code !== 0 && !options.allowFailure) {
    throw new PgHubError(
      'git_failed',
      `git ${args.join(' ')} failed in ${repo} (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result;
}

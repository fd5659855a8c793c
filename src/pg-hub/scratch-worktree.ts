import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './git.js';

/**
 * Runs `work` in a throwaway `git worktree` of `repo` checked out (detached) at `commit`, in a temp directory;
 * removes the worktree afterwards, whatever happened. The repository's own working tree is never touched.
 */
export async function withScratchWorktree<T>(
  repo: string,
  commit: string,
  work: (directory: string) => Promise<T>,
): Promise<T> {
  const parent = mkdtempSync(join(tmpdir(), 'mux-swarm-verify-'));
  const directory = join(parent, 'tree');
  try {
    await git(repo, ['worktree', 'add', '--detach', '--quiet', directory, commit]);
    return await work(directory);
  } finally {
    await git(repo, ['worktree', 'remove', '--force', directory], { allowFailure: true });
    rmSync(parent, { recursive: true, force: true });
    await git(repo, ['worktree', 'prune'], { allowFailure: true });
  }
}

/** Commits made in a scratch worktree get the node's git identity, or `mux-swarm (<node>)` when it has none. */
export async function committerEnv(repo: string, node: string): Promise<Record<string, string>> {
  const configured = async (key: string): Promise<boolean> =>
    (await git(repo, ['config', '--get', key], { allowFailure: true })).stdout.trim() !== '';
  const env: Record<string, string> = {};
  if (!(await configured('user.name'))) env.GIT_COMMITTER_NAME = `mux-swarm (${node})`;
  if (!(await configured('user.email'))) env.GIT_COMMITTER_EMAIL = `${node}@mux-swarm.invalid`;
  return env;
}

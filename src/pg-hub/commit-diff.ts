import { createHash } from 'node:crypto';
import { git } from './git.js';

/**
 * `git diff` with every option that could change its bytes pinned, so the claimant and each verifier hash the
 * same text whatever their git configuration: binary patches, full blob ids, no renames, a/ b/ prefixes.
 */
const DIFF = [
  '-c',
  'core.quotePath=true',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'diff.relative=false',
  'diff',
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--binary',
  '--full-index',
  '--no-renames',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

/** sha256 (hex) of `git diff <base> <commit>` as above: what a claim's `diff_hash` is. */
export async function diffHash(repo: string, base: string, commit: string): Promise<string> {
  const hash = createHash('sha256');
  await git(repo, [...DIFF, base, commit, '--'], { onStdout: (chunk) => hash.update(chunk) });
  return hash.digest('hex');
}

/** The paths `base..commit` adds, changes or deletes (both sides of a rename). */
export async function changedPaths(repo: string, base: string, commit: string): Promise<string[]> {
  const { stdout } = await git(repo, [
    '-c',
    'core.quotePath=false',
    'diff',
    '--name-only',
    '-z',
    '--no-renames',
    base,
    commit,
    '--',
  ]);
  return stdout.split('\0').filter((path) => path.length > 0);
}

export async function hasCommit(repo: string, commit: string): Promise<boolean> {
  const { code } = await git(repo, ['cat-file', '-e', `${commit}^{commit}`], { allowFailure: true });
  return code === 0;
}

/** The full id of a revision (`HEAD`, a branch, an abbreviated id). */
export async function resolveCommit(repo: string, revision: string): Promise<string> {
  const { stdout } = await git(repo, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  return stdout.trim();
}

export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  const { code } = await git(repo, ['merge-base', '--is-ancestor', ancestor, descendant], { allowFailure: true });
  return code === 0;
}

/** The branch HEAD is on, or undefined when detached. */
export async function currentBranch(repo: string): Promise<string | undefined> {
  const { code, stdout } = await git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFailure: true });
  return code === 0 ? stdout.trim() : undefined;
}

/** Uncommitted changes to tracked files (untracked files do not block a fast-forward unless they collide). */
export async function hasLocalChanges(repo: string): Promise<boolean> {
  const { stdout } = await git(repo, ['status', '--porcelain', '--untracked-files=no']);
  return stdout.trim().length > 0;
}

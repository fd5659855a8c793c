import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from './git.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { VerificationRejected } from '../errors/verification-rejected.js';

/** Bundles bigger than this are refused on both sides (a breakthrough is a small diff, not a repository). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** `git bundle create` of `base..commit`: the commits a peer that has `base` needs to get `commit`. */
export async function createBundle(repo: string, base: string, commit: string): Promise<Buffer> {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-bundle-'));
  // A bundle's tips must be refs: point a temporary one at the commit.
  const ref = `refs/mux-swarm/outgoing/${randomBytes(8).toString('hex')}`;
  try {
    await git(repo, ['update-ref', ref, commit]);
    const file = join(directory, 'breakthrough.bundle');
    await git(repo, ['bundle', 'create', '--quiet', file, ref, `^${base}`]);
    const bundle = readFileSync(file);
    if (bundle.length > MAX_BUNDLE_BYTES)
      throw new PgHubError(
        'bundle_too_large',
        `the bundle of ${base.slice(0, 12)}..${commit.slice(0, 12)} is ${bundle.length} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`,
      );
    return bundle;
  } finally {
    await git(repo, ['update-ref', '-d', ref], { allowFailure: true });
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Brings a peer's bundle into the local object store, refusing it (VerificationRejected) unless `git bundle
 * verify` accepts it here (its prerequisites, the claim's base, are present) and one of its heads is the claimed
 * commit, which is then stored under `targetRef`.
 */
export async function importBundle(repo: string, bundle: Buffer, commit: string, targetRef: string): Promise<void> {
  if (bundle.length > MAX_BUNDLE_BYTES)
    throw new VerificationRejected(`bundle too large: ${bundle.length} bytes (limit ${MAX_BUNDLE_BYTES})`);
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-bundle-'));
  try {
    const file = join(directory, 'incoming.bundle');
    writeFileSync(file, bundle);
    const verified = await git(repo, ['bundle', 'verify', '--quiet', file], { allowFailure: true });
    if (verified.code !== 0)
      throw new VerificationRejected(
        `bundle does not verify: ${firstLine(verified.stderr) || `git bundle verify exited ${verified.code}`}`,
      );
    const heads = await git(repo, ['bundle', 'list-heads', file]);
    const head = heads.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find(([id]) => id === commit);
    if (!head?.[1]) throw new VerificationRejected(`bundle does not contain the claimed commit ${commit}`);
    const fetched = await git(
      repo,
      ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', file, `+${head[1]}:${targetRef}`],
      { allowFailure: true },
    );
    if (fetched.code !== 0)
      throw new VerificationRejected(
        `bundle does not apply: ${firstLine(fetched.stderr) || `git fetch exited ${fetched.code}`}`,
      );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('hint:'))
    .slice(0, 3)
    .join(' ')
    .trim();
}

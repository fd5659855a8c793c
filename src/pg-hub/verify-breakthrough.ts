import type { KeyObject } from 'node:crypto';
import { claimSignatureValid, parseClaim, type Claim } from './claim.js';
import { changedPaths, diffHash, hasCommit, hasLocalChanges, isAncestor, resolveCommit } from './commit-diff.js';
import { beats, evalScriptHash, measure, type EvaluationSpec, type Measurement } from './evaluation.js';
import { git } from './git.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { keyId } from './node-keys.js';
import { pathsOutside } from './path-globs.js';
import { committerEnv, withScratchWorktree } from './scratch-worktree.js';
import { signVerification, type SignedVerification, type VerificationStatement } from './verification-record.js';
import { VerificationRejected } from '../errors/verification-rejected.js';

/** A breakthrough as an exchange (the hub, or a shared git remote) hands it over: nothing in it is trusted yet. */
export interface BreakthroughCandidate {
  /** The exchange's id: the hub's breakthrough id, or `<node>/<id>` of a git ref. */
  id: string;
  claim: unknown;
  signature: string;
}

/** What verification needs from where breakthroughs are exchanged; the checks themselves are the same for all. */
export interface BreakthroughExchange {
  /** The public key on the allow-list for `node`; undefined when it has none, or it is not allowed. */
  trustedKey(node: string): Promise<KeyObject | undefined>;
  /**
   * Records that `verifier` has seen this (validly signed) claim; returns why it is a replay when its nonce, or
   * its (node, diff_hash), was seen before — then nothing is recorded.
   */
  recordSeen(verifier: string, candidate: BreakthroughCandidate, claim: Claim): Promise<string | undefined>;
  /** Puts `claim.commit` in the local repository under `targetRef`; throws VerificationRejected when it cannot. */
  fetchCommit(repo: string, candidate: BreakthroughCandidate, claim: Claim, targetRef: string): Promise<void>;
  /** Stores the signed verification where the other nodes can read it. */
  recordVerification(candidate: BreakthroughCandidate, verification: SignedVerification): Promise<void>;
}

export interface VerifyOptions {
  /** The local repository; adoption fast-forwards its current branch. */
  repo: string;
  /** This node's name and private key: verifications are signed with it. */
  node: string;
  privateKey: KeyObject;
  /** Globs of the paths a breakthrough may touch (path-globs.ts); a diff touching anything else is rejected. */
  allowedPaths: string[];
  evaluation: EvaluationSpec;
  /** The seeds this node evaluates with (its own choice, not the claimant's); at least `minSeeds` of them. */
  seeds: number[];
  /** Default 3. */
  minSeeds?: number;
  /** How much better than the local best a measurement must be (absolute, in the metric's unit). Default 0. */
  noiseMargin?: number;
  /** The local best; when absent, the local HEAD is measured with the same seeds (cached per HEAD in `baselines`). */
  localBest?: number;
  baselines?: Map<string, Measurement>;
}

export interface VerificationOutcome {
  breakthrough: string;
  verdict: 'adopted' | 'rejected';
  reason: string;
  measured: Measurement | null;
  /** Set when adopted: the commit the local branch now points at. */
  adoptedCommit: string | null;
  verification: SignedVerification;
}

/**
 * Verifies one breakthrough and adopts it only when this node's own measurement beats its own best — never on
 * trust. In order: the claim parses; its node has a key on the allow-list ("unknown key"); the signature is that
 * key's ("bad signature"); it is no replay ("replay"); the local repository has its base ("unknown base commit");
 * the commit arrives and verifies (bundle or ref); it descends from the base and its diff hashes to the claimed
 * `diff_hash`; the diff touches only allowed paths ("outside allowed paths"); the local evaluation script hashes
 * to the claimed `eval_script_hash` and the change leaves it alone; in a scratch worktree (the commit itself when
 * the local branch is at the base, else the commits cherry-picked onto local HEAD) the evaluation runs with this
 * node's seeds; the mean must beat the local best by the noise margin ("did not reproduce"). Then the local branch
 * is fast-forwarded to the verified commit. Every outcome is signed by this node and recorded through the
 * exchange. Throws (recording nothing) only when this node cannot verify at all: too few seeds, uncommitted
 * changes, or an exchange/git failure.
 */
export async function verifyBreakthrough(
  exchange: BreakthroughExchange,
  candidate: BreakthroughCandidate,
  options: VerifyOptions,
): Promise<VerificationOutcome> {
  const minSeeds = options.minSeeds ?? 3;
  if (options.seeds.length < minSeeds)
    throw new PgHubError(
      'verification_config',
      `verification needs at least ${minSeeds} seeds; ${options.seeds.length} configured`,
    );
  if (await hasLocalChanges(options.repo)) {
    throw new PgHubError(
      'repo_dirty',
      `${options.repo} has uncommitted changes: commit or stash them before verifying breakthroughs (adoption fast-forwards the branch)`,
    );
  }
  const noiseMargin = options.noiseMargin ?? 0;
  const incomingRef = `refs/mux-swarm/incoming/${candidate.id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const result: Pick<VerificationStatement, 'measured' | 'baseline' | 'adopted_commit'> = {
    measured: null,
    baseline: null,
    adopted_commit: null,
  };
  let verdict: VerificationStatement['verdict'] = 'rejected';
  let reason: string;
  try {
    reason = await checkAndAdopt(exchange, candidate, options, { noiseMargin, incomingRef, result });
    verdict = 'adopted';
  } catch (error) {
    if (!(error instanceof VerificationRejected)) throw error;
    reason = error.reason;
  } finally {
    await git(options.repo, ['update-ref', '-d', incomingRef], { allowFailure: true });
  }
  const claimed =
    candidate.claim !== null && typeof candidate.claim === 'object' ? (candidate.claim as Record<string, unknown>) : {};
  const text = (key: string): string => (typeof claimed[key] === 'string' ? (claimed[key] as string) : '');
  const statement: VerificationStatement = {
    breakthrough: candidate.id,
    claim_node: text('node'),
    claim_nonce: text('nonce'),
    commit: text('commit'),
    diff_hash: text('diff_hash'),
    verifier: options.node,
    verdict,
    reason,
    ...result,
    noise_margin: noiseMargin,
    created_at: new Date().toISOString(),
  };
  const verification = signVerification(statement, options.privateKey);
  await exchange.recordVerification(candidate, verification);
  return {
    breakthrough: candidate.id,
    verdict,
    reason,
    measured: result.measured,
    adoptedCommit: result.adopted_commit,
    verification,
  };
}

interface Context {
  noiseMargin: number;
  incomingRef: string;
  result: Pick<VerificationStatement, 'measured' | 'baseline' | 'adopted_commit'>;
}

/** Every check in order; throws VerificationRejected with the reason, or returns the reason for adopting. */
async function checkAndAdopt(
  exchange: BreakthroughExchange,
  candidate: BreakthroughCandidate,
  options: VerifyOptions,
  context: Context,
): Promise<string> {
  const { repo } = options;
  let claim: Claim;
  try {
    claim = parseClaim(candidate.claim);
  } catch (error) {
    throw new VerificationRejected((error as Error).message);
  }

  const key = await exchange.trustedKey(claim.node);
  if (!key) throw new VerificationRejected(`unknown key: node "${claim.node}" has no allowed key on the allow-list`);
  if (!claimSignatureValid({ claim, signature: candidate.signature }, key)) {
    throw new VerificationRejected(
      `bad signature: the claim is not signed by the allowed key of node "${claim.node}" (${keyId(key)})`,
    );
  }

  const replay = await exchange.recordSeen(options.node, candidate, claim);
  if (replay) throw new VerificationRejected(`replay: ${replay}`);

  if (!(await hasCommit(repo, claim.base_commit)))
    throw new VerificationRejected(`unknown base commit ${claim.base_commit}: this repository does not have it`);

  await exchange.fetchCommit(repo, candidate, claim, context.incomingRef);
  if ((await resolveCommit(repo, context.incomingRef)) !== claim.commit)
    throw new VerificationRejected(`the fetched commit is not the claimed ${claim.commit}`);
  if (!(await isAncestor(repo, claim.base_commit, claim.commit)))
    throw new VerificationRejected(`commit ${claim.commit} does not descend from its base ${claim.base_commit}`);

  const actualDiffHash = await diffHash(repo, claim.base_commit, claim.commit);
  if (actualDiffHash !== claim.diff_hash)
    throw new VerificationRejected(
      `diff hash mismatch: claimed ${claim.diff_hash}, the commit's diff hashes to ${actualDiffHash}`,
    );

  const paths = await changedPaths(repo, claim.base_commit, claim.commit);
  if (paths.length === 0) throw new VerificationRejected('empty diff: the commit changes nothing');
  const outside = pathsOutside(paths, options.allowedPaths);
  if (outside.length > 0) throw new VerificationRejected(`outside allowed paths: ${outside.join(', ')}`);

  const localScriptHash = evalScriptHash(repo, options.evaluation.script);
  if (localScriptHash !== claim.eval_script_hash) {
    throw new VerificationRejected(
      `evaluation script differs: the claim was measured with sha256 ${claim.eval_script_hash}, ${options.evaluation.script} here is ${localScriptHash}`,
    );
  }

  const head = await resolveCommit(repo, 'HEAD');
  return withScratchWorktree(repo, head === claim.base_commit ? claim.commit : head, async (tree) => {
    if (head !== claim.base_commit) await cherryPick(tree, claim, head, options.node);
    const candidateCommit = await resolveCommit(tree, 'HEAD');
    if (evalScriptHash(tree, options.evaluation.script) !== localScriptHash)
      throw new VerificationRejected(`the change modifies the evaluation script ${options.evaluation.script}`);

    const baseline = options.localBest !== undefined ? undefined : await measureBaseline(repo, head, options);
    const best = options.localBest ?? baseline!.mean;
    context.result.baseline = {
      value: best,
      source: baseline ? 'measured' : 'given',
      seeds: baseline ? baseline.seeds : [],
    };
    const measured = await measureOrReject(tree, options);
    context.result.measured = measured;

    const unit = `${measured.name} ${measured.mean} (mean of seeds ${measured.seeds.join(',')}; claimed ${claim.metric.value})`;
    if (!beats(measured.mean, best, context.noiseMargin, measured.direction)) {
      throw new VerificationRejected(
        `did not reproduce: measured ${unit}, which does not beat the local best ${best} by the noise margin ${context.noiseMargin} (${measured.direction} is better)`,
      );
    }
    const merged = await git(repo, ['merge', '--ff-only', '--quiet', candidateCommit], { allowFailure: true });
    if (merged.code !== 0)
      throw new VerificationRejected(
        `could not adopt: the local branch cannot be fast-forwarded to ${candidateCommit} (${merged.stderr.trim()})`,
      );
    context.result.adopted_commit = candidateCommit;
    const how =
      candidateCommit === claim.commit
        ? 'fast-forwarded to the claimed commit'
        : `cherry-picked onto ${head.slice(0, 12)} as ${candidateCommit.slice(0, 12)}`;
    return `reproduced: measured ${unit}, beating the local best ${best} by more than ${context.noiseMargin}; ${how}`;
  });
}

/** The local branch has moved past the claim's base: apply the claim's commits onto local HEAD in the scratch tree. */
async function cherryPick(tree: string, claim: Claim, head: string, node: string): Promise<void> {
  const picked = await git(
    tree,
    ['cherry-pick', '-x', '--allow-empty-message', `${claim.base_commit}..${claim.commit}`],
    { allowFailure: true, env: await committerEnv(tree, node) },
  );
  if (picked.code !== 0) {
    await git(tree, ['cherry-pick', '--abort'], { allowFailure: true });
    const detail = (picked.stderr.trim() || picked.stdout.trim())
      .split('\n')
      .filter((line) => !line.startsWith('hint:'))
      .slice(0, 2)
      .join(' ');
    throw new VerificationRejected(`does not apply on the local branch (HEAD ${head.slice(0, 12)}): ${detail}`);
  }
}

async function measureBaseline(repo: string, head: string, options: VerifyOptions): Promise<Measurement> {
  const cacheKey = `${head}:${options.seeds.join(',')}`;
  const cached = options.baselines?.get(cacheKey);
  if (cached) return cached;
  const baseline = await withScratchWorktree(repo, head, (tree) => measure(tree, options.evaluation, options.seeds));
  options.baselines?.set(cacheKey, baseline);
  return baseline;
}

async function measureOrReject(tree: string, options: VerifyOptions): Promise<Measurement> {
  try {
    return await measure(tree, options.evaluation, options.seeds);
  } catch (error) {
    if (error instanceof PgHubError && error.code === 'evaluation_failed')
      throw new VerificationRejected(`evaluation failed: ${error.message}`);
    throw error;
  }
}

import type { KeyObject } from 'node:crypto';
import { newNonce, signClaim, type Claim, type ClaimedMetric, type SignedClaim } from './claim.js';
import { diffHash, isAncestor, resolveCommit } from './commit-diff.js';
import { evalScriptHash, type EvaluationSpec } from './evaluation.js';
import { createBundle } from './git-bundle.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { describeHardware } from './node-hardware.js';
import { assertNodeName } from './node-name.js';

export interface BreakthroughInput {
  repo: string;
  node: string;
  privateKey: KeyObject;
  /** The commit the experiment started from (peers need it to verify). */
  base: string;
  /** The breakthrough commit; default HEAD. */
  commit?: string;
  /** What this node measured: it orders what peers verify first, nothing more. */
  metric: ClaimedMetric;
  seeds: number[];
  /** The evaluation whose script is hashed into the claim (`evaluation.script`, relative to the repo). */
  evaluation: Pick<EvaluationSpec, 'script'>;
  /** Default describeHardware(). */
  hardware?: Record<string, unknown>;
}

export interface PreparedBreakthrough {
  signed: SignedClaim;
  /** `git bundle` of base..commit. */
  bundle: Buffer;
}

/**
 * Builds and signs a claim for `base..commit` of the local repository, with its bundle. Publishing it is the
 * exchange's business (PgHubClient.publishBreakthrough, or GitRemoteExchange.publish).
 */
export async function prepareBreakthrough(input: BreakthroughInput): Promise<PreparedBreakthrough> {
  assertNodeName(input.node);
  const base = await resolveCommit(input.repo, input.base);
  const commit = await resolveCommit(input.repo, input.commit ?? 'HEAD');
  if (base === commit)
    throw new PgHubError(
      'breakthrough_empty',
      `the breakthrough commit is its base (${base.slice(0, 12)}): nothing to share`,
    );
  if (!(await isAncestor(input.repo, base, commit)))
    throw new PgHubError(
      'breakthrough_not_descendant',
      `${commit.slice(0, 12)} does not descend from the base ${base.slice(0, 12)}`,
    );
  const claim: Claim = {
    node: input.node,
    base_commit: base,
    commit,
    diff_hash: await diffHash(input.repo, base, commit),
    metric: input.metric,
    seeds: input.seeds,
    eval_script_hash: evalScriptHash(input.repo, input.evaluation.script),
    hardware: input.hardware ?? describeHardware(),
    created_at: new Date().toISOString(),
    nonce: newNonce(),
  };
  return { signed: signClaim(claim, input.privateKey), bundle: await createBundle(input.repo, base, commit) };
}

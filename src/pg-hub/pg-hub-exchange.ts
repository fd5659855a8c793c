import type { KeyObject } from 'node:crypto';
import type { Claim } from './claim.js';
import { importBundle } from './git-bundle.js';
import type { PgHubClient } from './pg-hub-client.js';
import type { SignedVerification } from './verification-record.js';
import { VerificationRejected } from '../errors/verification-rejected.js';
import type { BreakthroughCandidate, BreakthroughExchange } from './verify-breakthrough.js';

/**
 * Verification through the hub: keys from its allow-list (nodes table), replays from this node's rows in
 * seen_claims, the commit from the breakthrough's bundle (bytea), verifications into the verifications table.
 */
export class PgHubExchange implements BreakthroughExchange {
  constructor(private readonly hub: PgHubClient) {}

  trustedKey(node: string): Promise<KeyObject | undefined> {
    return this.hub.nodes.trustedKey(node);
  }

  recordSeen(verifier: string, candidate: BreakthroughCandidate, claim: Claim): Promise<string | undefined> {
    return this.hub.breakthroughs.recordSeen(verifier, candidate.id, claim);
  }

  async fetchCommit(repo: string, candidate: BreakthroughCandidate, claim: Claim, targetRef: string): Promise<void> {
    const stored = await this.hub.breakthroughs.load(candidate.id);
    if (!stored) throw new VerificationRejected(`breakthrough ${candidate.id} is no longer on the hub`);
    await importBundle(repo, stored.bundle, claim.commit, targetRef);
  }

  async recordVerification(candidate: BreakthroughCandidate, verification: SignedVerification): Promise<void> {
    await this.hub.breakthroughs.recordVerification(candidate.id, verification);
  }

  /** The candidate as stored, for verifyBreakthrough; undefined when there is no such breakthrough. */
  async candidate(id: string): Promise<BreakthroughCandidate | undefined> {
    const stored = await this.hub.breakthroughs.load(id);
    return stored ? { id: stored.id, claim: stored.claim, signature: stored.signature } : undefined;
  }
}

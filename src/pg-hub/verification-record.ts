import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../text/canonical-json.js';
import type { Measurement } from './evaluation.js';
import { messageSignatureValid, signMessage } from './node-keys.js';

export type Verdict = 'adopted' | 'rejected';

/**
 * What a verifying node states about one breakthrough, signed with its own key: which claim (breakthrough id,
 * claimant, nonce, commit, diff hash), the verdict and why, and what it measured (null when it was rejected
 * before measuring).
 */
export interface VerificationStatement {
  breakthrough: string;
  claim_node: string;
  claim_nonce: string;
  commit: string;
  diff_hash: string;
  verifier: string;
  verdict: Verdict;
  reason: string;
  measured: Measurement | null;
  /** The local best the measurement was compared with, and whether it was given or measured on the local HEAD. */
  baseline: { value: number; source: 'given' | 'measured'; seeds: number[] } | null;
  noise_margin: number;
  /** The commit the local branch was fast-forwarded to (the claimed commit, or its cherry-pick onto local HEAD). */
  adopted_commit: string | null;
  created_at: string;
}

export interface SignedVerification {
  statement: VerificationStatement;
  signature: string;
}

const VERIFICATION_DOMAIN = 'mux-swarm/verification/v1\n';

export function verificationMessage(statement: VerificationStatement): string {
  return VERIFICATION_DOMAIN + canonicalJson(statement);
}

export function signVerification(statement: VerificationStatement, privateKey: KeyObject): SignedVerification {
  return { statement, signature: signMessage(verificationMessage(statement), privateKey) };
}

export function verificationSignatureValid(signed: SignedVerification, publicKey: KeyObject): boolean {
  return messageSignatureValid(verificationMessage(signed.statement), signed.signature, publicKey);
}

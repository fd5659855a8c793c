import { randomBytes, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { PgHubError } from '../errors/pg-hub-error.js';
import { canonicalJson } from '../text/canonical-json.js';
import { messageSignatureValid, signMessage } from './node-keys.js';
import { NODE_NAME } from './node-name.js';

const COMMIT = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;
const SHA256 = /^[0-9a-f]{64}$/;

export const metricSchema = z.strictObject({
  name: z.string().min(1).max(200),
  value: z.number(),
  direction: z.enum(['lower', 'higher']),
});
export type ClaimedMetric = z.infer<typeof metricSchema>;
export type MetricDirection = ClaimedMetric['direction'];

/**
 * What a node claims about a breakthrough. `diff_hash` is the sha256 of `git diff <base_commit> <commit>` (see
 * commit-diff.ts for the exact options); `eval_script_hash` the sha256 of the evaluation script's bytes; `nonce`
 * 16 random bytes (hex) that make every claim unique, so that a replayed claim can be recognised.
 */
export const claimSchema = z.strictObject({
  node: z.string().regex(NODE_NAME),
  base_commit: z.string().regex(COMMIT),
  commit: z.string().regex(COMMIT),
  diff_hash: z.string().regex(SHA256),
  metric: metricSchema,
  seeds: z.array(z.number().int()).min(1),
  eval_script_hash: z.string().regex(SHA256),
  hardware: z.record(z.string(), z.unknown()),
  created_at: z.iso.datetime(),
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
});
export type Claim = z.infer<typeof claimSchema>;

/** A claim and the base64 ed25519 signature of `claimMessage(claim)` by the claiming node's key. */
export interface SignedClaim {
  claim: Claim;
  signature: string;
}

/** Signatures are over a domain-separated message, so no other signed statement can pass for a claim. */
const CLAIM_DOMAIN = 'mux-swarm/claim/v1\n';

export function claimMessage(claim: Claim): string {
  return CLAIM_DOMAIN + canonicalJson(claim);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function signClaim(claim: Claim, privateKey: KeyObject): SignedClaim {
  return { claim, signature: signMessage(claimMessage(claim), privateKey) };
}

export function claimSignatureValid(signed: SignedClaim, publicKey: KeyObject): boolean {
  return messageSignatureValid(claimMessage(signed.claim), signed.signature, publicKey);
}

/** A claim read back from the hub or a git note; throws `claim_malformed` with what is wrong. */
export function parseClaim(value: unknown): Claim {
  const parsed = claimSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(claim)'}: ${issue.message}`);
  throw new PgHubError('claim_malformed', `malformed claim: ${problems.join('; ')}`);
}

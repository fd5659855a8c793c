import type { KeyObject } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../text/canonical-json.js';
import type { Claim, SignedClaim } from './claim.js';
import { git } from './git.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { parsePublicKey } from './node-keys.js';
import { assertNodeName } from './node-name.js';
import { SeenClaimsLedger } from './seen-claims-ledger.js';
import type { SignedVerification } from './verification-record.js';
import { VerificationRejected } from '../errors/verification-rejected.js';
import type { BreakthroughCandidate, BreakthroughExchange } from './verify-breakthrough.js';

/** Each breakthrough commit is pushed to `refs/mux-swarm/breakthroughs/<node>/<nonce>`. */
export const BREAKTHROUGH_REFS = 'refs/mux-swarm/breakthroughs/';
/** Claims (`{claim, signature}` as canonical JSON) are git notes on the breakthrough commit. */
export const CLAIM_NOTES_REF = 'refs/notes/mux-swarm';
/** Signed verifications, one JSON line each, appended as notes on the breakthrough commit. */
export const VERIFICATION_NOTES_REF = 'refs/notes/mux-swarm-verifications';

export interface GitRemoteExchangeOptions {
  /** The local repository. */
  repo: string;
  /** The shared remote: a bare repository's path, or any URL this node can fetch from and push to. */
  remote: string;
  /** The allow-list of this mode, held by each node itself: node name → public key (see trustedKeysFromDirectory). */
  trustedKeys: ReadonlyMap<string, KeyObject>;
  /** Where this node records the claims it has seen; default `<git dir>/mux-swarm/seen-claims-<node>.json`. */
  ledgerFile?: string;
}

/** A breakthrough listed on the remote: the candidate and the commit its ref points at. */
export interface RemoteBreakthrough extends BreakthroughCandidate {
  ref: string;
  refCommit: string;
}

/**
 * The same exchange as the hub's, with no hub: a shared git remote. Publishing pushes the commit to a ref under
 * refs/mux-swarm/breakthroughs/ and the signed claim as a note (refs/notes/mux-swarm); verifying fetches that ref;
 * verifications are appended as signed notes (refs/notes/mux-swarm-verifications). The allow-list and the
 * record of seen claims are local to each node. Notes are updated optimistically: fetch, add, push, and again
 * when another node pushed in between.
 */
export class GitRemoteExchange implements BreakthroughExchange {
  private constructor(
    private readonly options: GitRemoteExchangeOptions,
    private readonly gitDirectory: string,
  ) {}

  static async open(options: GitRemoteExchangeOptions): Promise<GitRemoteExchange> {
    const { stdout } = await git(options.repo, ['rev-parse', '--absolute-git-dir']);
    return new GitRemoteExchange(options, stdout.trim());
  }

  /** Reads `<node>.pub` files (as `hub keygen` writes them) from a directory: the git-remote allow-list. */
  static trustedKeysFromDirectory(directory: string): Map<string, KeyObject> {
    const keys = new Map<string, KeyObject>();
    for (const file of readdirSync(directory)) {
      if (!file.endsWith('.pub')) continue;
      keys.set(assertNodeName(file.slice(0, -'.pub'.length)), parsePublicKey(join(directory, file)));
    }
    return keys;
  }

  /** Pushes the claim's note, then the commit to its ref. Returns the breakthrough id `<node>/<nonce>`. */
  async publish(signed: SignedClaim): Promise<string> {
    const { claim } = signed;
    const id = `${claim.node}/${claim.nonce}`;
    // The note first: a peer that sees the ref then always finds its claim.
    await this.updateNotes(CLAIM_NOTES_REF, ['add', '-f', '-m', canonicalJson(signed)], claim.commit);
    await this.push(`${claim.commit}:${BREAKTHROUGH_REFS}${id}`);
    return id;
  }

  /** Every breakthrough on the remote, with the claim noted on its commit (undefined when there is none). */
  async list(): Promise<RemoteBreakthrough[]> {
    const listed = await git(this.options.repo, ['ls-remote', this.options.remote, `${BREAKTHROUGH_REFS}*`]);
    await this.fetchNotes(CLAIM_NOTES_REF);
    const breakthroughs: RemoteBreakthrough[] = [];
    for (const line of listed.stdout.split('\n')) {
      const [refCommit, ref] = line.trim().split(/\s+/);
      if (!refCommit || !ref?.startsWith(BREAKTHROUGH_REFS)) continue;
      const note = await git(this.options.repo, ['notes', `--ref=${CLAIM_NOTES_REF}`, 'show', refCommit], {
        allowFailure: true,
      });
      const signed = note.code === 0 ? parseJson(note.stdout) : undefined;
      const claim = signed && typeof signed === 'object' ? (signed as { claim?: unknown }).claim : undefined;
      const signature =
        signed && typeof signed === 'object' ? (signed as { signature?: unknown }).signature : undefined;
      breakthroughs.push({
        id: ref.slice(BREAKTHROUGH_REFS.length),
        ref,
        refCommit,
        claim,
        signature: typeof signature === 'string' ? signature : '',
      });
    }
    return breakthroughs;
  }

  /** The breakthroughs `verifier` has not verified yet, from other nodes, best claimed metric first. */
  async pending(verifier: string): Promise<RemoteBreakthrough[]> {
    const verified = this.ledger(verifier).verified();
    const all = await this.list();
    return all
      .filter((breakthrough) => !verified.has(breakthrough.id) && claimedNode(breakthrough.claim) !== verifier)
      .sort((a, b) => orderKey(a.claim) - orderKey(b.claim) || a.id.localeCompare(b.id));
  }

  /** The signed verifications noted on a breakthrough's commit. */
  async verifications(breakthrough: RemoteBreakthrough): Promise<SignedVerification[]> {
    await this.fetchNotes(VERIFICATION_NOTES_REF);
    const note = await git(
      this.options.repo,
      ['notes', `--ref=${VERIFICATION_NOTES_REF}`, 'show', breakthrough.refCommit],
      { allowFailure: true },
    );
    if (note.code !== 0) return [];
    return note.stdout
      .split('\n')
      .map((line) => parseJson(line.trim()))
      .filter(
        (entry): entry is SignedVerification =>
          !!entry && typeof entry === 'object' && 'statement' in entry && 'signature' in entry,
      )
      .filter((entry) => entry.statement.breakthrough === breakthrough.id);
  }

  async trustedKey(node: string): Promise<KeyObject | undefined> {
    return this.options.trustedKeys.get(node);
  }

  async recordSeen(verifier: string, candidate: BreakthroughCandidate, claim: Claim): Promise<string | undefined> {
    return this.ledger(verifier).recordSeen(candidate.id, claim);
  }

  async fetchCommit(repo: string, candidate: BreakthroughCandidate, _claim: Claim, targetRef: string): Promise<void> {
    const fetched = await git(
      repo,
      [
        'fetch',
        '--quiet',
        '--no-tags',
        '--no-write-fetch-head',
        this.options.remote,
        `+${BREAKTHROUGH_REFS}${candidate.id}:${targetRef}`,
      ],
      { allowFailure: true },
    );
    if (fetched.code !== 0)
      throw new VerificationRejected(
        `cannot fetch ${BREAKTHROUGH_REFS}${candidate.id} from the remote: ${fetched.stderr.trim().split('\n')[0]}`,
      );
  }

  async recordVerification(candidate: BreakthroughCandidate, verification: SignedVerification): Promise<void> {
    const commit = (candidate as Partial<RemoteBreakthrough>).refCommit ?? verification.statement.commit;
    if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(commit))
      throw new PgHubError('verification_unrecordable', `no commit to note the verification of ${candidate.id} on`);
    await this.updateNotes(VERIFICATION_NOTES_REF, ['append', '-m', canonicalJson(verification)], commit);
    this.ledger(verification.statement.verifier).markVerified(candidate.id);
  }

  private ledger(verifier: string): SeenClaimsLedger {
    return new SeenClaimsLedger(
      this.options.ledgerFile ?? join(this.gitDirectory, 'mux-swarm', `seen-claims-${assertNodeName(verifier)}.json`),
    );
  }

  /** Replaces the local copy of a notes ref with the remote's (removing it when the remote has none). */
  private async fetchNotes(ref: string): Promise<void> {
    const fetched = await git(
      this.options.repo,
      ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.options.remote, `+${ref}:${ref}`],
      { allowFailure: true },
    );
    if (fetched.code === 0) return;
    if (/couldn't find remote ref/i.test(fetched.stderr)) {
      await git(this.options.repo, ['update-ref', '-d', ref], { allowFailure: true });
      return;
    }
    throw new PgHubError(
      'remote_unreachable',
      `cannot fetch ${ref} from ${this.options.remote}: ${fetched.stderr.trim()}`,
    );
  }

  private async updateNotes(ref: string, operation: string[], commit: string): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt += 1) {
      await this.fetchNotes(ref);
      await git(this.options.repo, ['notes', `--ref=${ref}`, ...operation, commit]);
      const pushed = await git(
        this.options.repo,
        ['push', '--quiet', '--no-verify', this.options.remote, `${ref}:${ref}`],
        { allowFailure: true },
      );
      if (pushed.code === 0) return;
      if (!/rejected|fetch first|non-fast-forward|failed to lock|cannot lock/i.test(pushed.stderr)) {
        throw new PgHubError(
          'remote_push_failed',
          `cannot push ${ref} to ${this.options.remote}: ${pushed.stderr.trim()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1) + Math.random() * 100));
    }
    throw new PgHubError(
      'remote_busy',
      `cannot update ${ref} on ${this.options.remote}: other nodes kept pushing it; try again`,
    );
  }

  private async push(refspec: string): Promise<void> {
    const pushed = await git(this.options.repo, ['push', '--quiet', '--no-verify', this.options.remote, refspec], {
      allowFailure: true,
    });
    if (pushed.code !== 0)
      throw new PgHubError(
        'remote_push_failed',
        `cannot push ${refspec} to ${this.options.remote}: ${pushed.stderr.trim()}`,
      );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function claimedNode(claim: unknown): string | undefined {
  return claim && typeof claim === 'object' && typeof (claim as { node?: unknown }).node === 'string'
    ? (claim as { node: string }).node
    : undefined;
}

/** Lower sorts first: the claimed value where lower is better, its negation where higher is; unreadable claims last. */
function orderKey(claim: unknown): number {
  const metric =
    claim && typeof claim === 'object'
      ? (claim as { metric?: { value?: unknown; direction?: unknown } }).metric
      : undefined;
  if (!metric || typeof metric.value !== 'number') return Number.POSITIVE_INFINITY;
  return metric.direction === 'higher' ? -metric.value : metric.value;
}

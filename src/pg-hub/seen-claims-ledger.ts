import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Claim } from './claim.js';
import { PgHubError } from '../errors/pg-hub-error.js';

interface LedgerFile {
  seen: Array<{ id: string; nonce: string; node: string; diff_hash: string; at: string }>;
  verified: string[];
}

/**
 * A node's local record, for the git-remote exchange, of the claims it has seen (to recognise replays) and the
 * breakthroughs it has verified. A JSON file, rewritten atomically; one verifier process per file.
 */
export class SeenClaimsLedger {
  constructor(readonly file: string) {}

  /** Same contract as the hub's seen_claims: a replay reason, or undefined after recording the claim. */
  recordSeen(id: string, claim: Claim): string | undefined {
    const ledger = this.read();
    const earlier = ledger.seen.find(
      (entry) =>
        entry.id !== id &&
        (entry.nonce === claim.nonce || (entry.node === claim.node && entry.diff_hash === claim.diff_hash)),
    );
    if (earlier) {
      return earlier.nonce === claim.nonce
        ? `claim nonce ${claim.nonce} was already seen in breakthrough ${earlier.id}`
        : `node "${claim.node}" already claimed diff ${claim.diff_hash} in breakthrough ${earlier.id}`;
    }
    if (!ledger.seen.some((entry) => entry.id === id)) {
      ledger.seen.push({
        id,
        nonce: claim.nonce,
        node: claim.node,
        diff_hash: claim.diff_hash,
        at: new Date().toISOString(),
      });
      this.write(ledger);
    }
    return undefined;
  }

  markVerified(id: string): void {
    const ledger = this.read();
    if (ledger.verified.includes(id)) return;
    ledger.verified.push(id);
    this.write(ledger);
  }

  verified(): Set<string> {
    return new Set(this.read().verified);
  }

  private read(): LedgerFile {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<LedgerFile>;
      return { seen: parsed.seen ?? [], verified: parsed.verified ?? [] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { seen: [], verified: [] };
      throw new PgHubError(
        'ledger_unreadable',
        `cannot read the seen-claims ledger ${this.file}: ${(error as Error).message} (move it aside to start afresh: claims seen before can then be replayed once)`,
      );
    }
  }

  private write(ledger: LedgerFile): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(ledger, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}

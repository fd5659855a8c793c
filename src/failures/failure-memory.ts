import type { MemoryConfig } from '../config/config-schema.js';
import { resolveHomePath } from '../config/home-path.js';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { openDatabase } from '../state/database.js';
import {
  compareFixes,
  mergeFailures,
  mergeFixes,
  type FailureRecord,
  type FailureSignatureInput,
  type FixRecord,
} from '../state/failure-records.js';
import {
  FailureStore,
  FIXES_PER_RESULT,
  toLines,
  type FailureStoreOptions,
  type ForgetResult,
  type NewFix,
} from '../state/failure-store.js';

/** The user store's file in its directory (config memory.userStore, default ~/.mux-swarm). */
export const USER_STORE_FILE = 'memory.db';

export type StoreName = 'workdir' | 'user';

/**
 * The workdir's failure memory (state.db) and the user's (memory.db, shared by every workdir on this machine),
 * read together and written together: a failure counts in the workdir store, a fix goes to both. Where both
 * stores know a record, the larger counts win (they are never added: the user store already holds the workdir's).
 */
export class FailureMemory {
  readonly workdir: FailureStore;
  readonly user: FailureStore | undefined;

  constructor(workdir: FailureStore, user?: FailureStore) {
    this.workdir = workdir;
    this.user = user;
  }

  /** Opens (creating) `<directory>/memory.db`; `~` is the home directory. */
  static openUserStore(directory: string, options?: FailureStoreOptions): FailureStore {
    return new FailureStore(openDatabase(resolveHomePath(directory), USER_STORE_FILE), options);
  }

  private get stores(): FailureStore[] {
    return this.user ? [this.workdir, this.user] : [this.workdir];
  }

  recordOccurrence(signature: FailureSignatureInput, example: string, at: string): FailureRecord {
    const record = this.workdir.recordOccurrence(signature, example, at);
    this.user?.ensureFailure(signature, example, at);
    return record;
  }

  /** A retry observation (see FailureStore.recordRetry), in the workdir store and written through to the user store. */
  recordRetry(signature: FailureSignatureInput, example: string, outcome: 'worked' | 'failed', at: string): void {
    for (const store of this.stores) {
      store.ensureFailure(signature, example, at);
      store.recordRetry(signature.fingerprint, outcome, at);
    }
  }

  /** A failure by fingerprint or unique prefix, from either store (merged when both know it). */
  failure(fingerprint: string): FailureRecord | undefined {
    const found = this.stores.flatMap((store) => store.failure(fingerprint) ?? []);
    const first = found[0];
    if (first === undefined) return undefined;
    if (found.some((failure) => failure.fingerprint !== first.fingerprint)) {
      throw new MuxSwarmError(
        'memory_ambiguous',
        `"${fingerprint}" is the start of several fingerprints (${[...new Set(found.map((failure) => failure.fingerprint))].join(', ')}); give more of it`,
      );
    }
    return found.reduce(mergeFailures);
  }

  fixesFor(fingerprint: string, limit?: number): FixRecord[] {
    const merged = mergeByUid(this.stores.flatMap((store) => store.fixesFor(fingerprint))).sort(compareFixes);
    return limit === undefined ? merged : merged.slice(0, limit);
  }

  /** Records the fix in the workdir store and writes it through to the user store, creating the failure where missing. */
  recordFix(fix: NewFix, signature: FailureSignatureInput, example: string): FixRecord {
    if (signature.fingerprint !== fix.fingerprint)
      throw new MuxSwarmError(
        'memory_bad_fix',
        `the fix is for failure ${fix.fingerprint} but the signature given is ${signature.fingerprint}`,
      );
    const recorded = this.stores.map((store) => {
      store.ensureFailure(signature, example, fix.at);
      return store.recordFix(fix);
    });
    return recorded.reduce(mergeFixes);
  }

  /** Rates a fix by uid in every store that has it; a row id is resolved to a uid in the workdir store first. */
  rateFix(idOrUid: number | string, outcome: 'worked' | 'failed', at: string): FixRecord {
    const uid = this.stores.map((store) => store.fix(idOrUid)?.uid).find((found) => found !== undefined);
    if (uid === undefined)
      throw new MuxSwarmError(
        'memory_unknown_fix',
        `no fix "${idOrUid}" in failure memory; fixes are named by the uid \`mux-swarm memory show\` prints`,
      );
    return this.stores
      .filter((store) => store.fix(uid))
      .map((store) => store.rateFix(uid, outcome, at))
      .reduce(mergeFixes);
  }

  /** Both stores' results taken in turn (each failure once), with counts and fixes merged. */
  search(text: string, limit = 10): Array<{ failure: FailureRecord; fixes: FixRecord[] }> {
    const rankings = this.stores.map((store) => store.search(text, limit).map((result) => result.failure.fingerprint));
    const chosen: string[] = [];
    for (
      let position = 0;
      chosen.length < limit && rankings.some((ranking) => position < ranking.length);
      position += 1
    ) {
      for (const ranking of rankings) {
        const fingerprint = ranking[position];
        if (fingerprint !== undefined && !chosen.includes(fingerprint) && chosen.length < limit)
          chosen.push(fingerprint);
      }
    }
    return chosen.map((fingerprint) => ({
      failure: this.failure(fingerprint)!,
      fixes: this.fixesFor(fingerprint, FIXES_PER_RESULT),
    }));
  }

  /**
   * Forgets a failure (with its fixes) or one fix in every store that has it. The id is resolved in the workdir
   * store first (row ids are per store), then in the user store; unknown everywhere throws.
   */
  forget(id: string): Array<{ name: StoreName; result: ForgetResult }> {
    const named: Array<{ name: StoreName; store: FailureStore }> = [{ name: 'workdir', store: this.workdir }];
    if (this.user) named.push({ name: 'user', store: this.user });
    return forgetEverywhere(named, id);
  }

  /** Both stores as one JSONL export: failures merged by fingerprint, fixes by uid. */
  exportLines(): string[] {
    const failures = new Map<string, FailureRecord>();
    for (const failure of this.stores.flatMap((store) => store.listFailures())) {
      const known = failures.get(failure.fingerprint);
      failures.set(failure.fingerprint, known ? mergeFailures(known, failure) : failure);
    }
    const ordered = [...failures.values()].sort(
      (left, right) =>
        left.firstSeenAt.localeCompare(right.firstSeenAt) || left.fingerprint.localeCompare(right.fingerprint),
    );
    const fixes = mergeByUid(this.stores.flatMap((store) => store.listFixes())).sort(
      (left, right) =>
        left.fingerprint.localeCompare(right.fingerprint) || left.createdAt.localeCompare(right.createdAt),
    );
    return toLines(ordered, fixes);
  }

  /** Closes the user store's database; the workdir's belongs to whoever opened it. */
  close(): void {
    this.user?.database.close();
  }
}

/** The directory of the user store from the config (default ~/.mux-swarm); a relative one is relative to `baseDirectory` (config.json's). */
export function userStoreDirectory(
  memory: MemoryConfig | undefined,
  environment: NodeJS.ProcessEnv = process.env,
  baseDirectory = process.cwd(),
): string {
  return resolveHomePath(memory?.userStore ?? '~/.mux-swarm', environment, baseDirectory);
}

/**
 * Forgets what `id` names — a failure with its fixes, or one fix — in each of `stores` that has it. The id is
 * resolved to a full fingerprint or fix uid in the first store that knows it (row ids are per store).
 */
export function forgetEverywhere<Name extends string>(
  stores: ReadonlyArray<{ name: Name; store: FailureStore }>,
  id: string,
): Array<{ name: Name; result: ForgetResult }> {
  const key = stores.map(({ store }) => canonicalKey(store, id)).find((found) => found !== undefined);
  if (key === undefined) {
    throw new MuxSwarmError(
      'memory_not_found',
      `no failure or fix "${id}" in failure memory; give a fingerprint (or six characters of one) or a fix uid, as \`mux-swarm memory search\` prints them`,
    );
  }
  return stores
    .filter(({ store }) => canonicalKey(store, key) === key)
    .map(({ name, store }) => ({ name, result: store.forget(key) }));
}

/** The full fingerprint or fix uid `id` names in `store`, if any. */
function canonicalKey(store: FailureStore, id: string): string | undefined {
  return store.failure(id)?.fingerprint ?? store.fix(id)?.uid;
}

function mergeByUid(fixes: readonly FixRecord[]): FixRecord[] {
  const byUid = new Map<string, FixRecord>();
  for (const fix of fixes) {
    const known = byUid.get(fix.uid);
    byUid.set(fix.uid, known ? mergeFixes(known, fix) : fix);
  }
  return [...byUid.values()];
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { redactSecrets } from '../logging/redact-secrets.js';
import { scrubberOf, type KnownSecrets, type SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from './database.js';
import {
  failureToLine,
  fixToLine,
  lineToFailure,
  parseMemoryLine,
  type FailureLine,
  type FailureRecord,
  type FailureSignatureInput,
  type FixLine,
  type FixRecord,
  type FixSource,
} from './failure-records.js';
import { textColumn, toFailure, toFix } from './failure-rows.js';
import { allTermsAsPrefixes, allTermsExactly, anyTermAsPrefix, quotedTerms } from './full-text-query.js';

export type { FailureRecord, FailureSignatureInput, FixRecord } from './failure-records.js';

/** A fix to record: it worked (the failed step then succeeded) or did not, at `at`. */
export interface NewFix {
  fingerprint: string;
  description: string;
  explanation?: string | null;
  files?: string[];
  diff?: string | null;
  source: FixSource;
  runId?: string | null;
  outcome: 'worked' | 'failed';
  at: string;
}

export interface ImportResult {
  /** Failure lines applied (new here, or merged into one already here). */
  failures: number;
  /** Fix lines applied (new here, or merged into one already here). */
  fixes: number;
  /** Of those, lines whose failure or fix was already here: counts merged (the larger kept), not added. */
  merged: number;
  /** Lines not imported, numbered from 1, with what is wrong. */
  skipped: Array<{ line: number; problem: string }>;
}

export type ForgetResult = { kind: 'failure'; fingerprint: string; fixes: number } | { kind: 'fix'; uid: string };

export interface FailureStoreOptions {
  /** Secret values (the process's scrubber, or values) to redact besides what redactSecrets recognises by itself. */
  secrets?: KnownSecrets;
}

/** Longest example kept, in characters: the start and the end of the output (where errors usually are). */
export const EXAMPLE_MAX_CHARS = 4096;
/** A fingerprint prefix must be at least this long to name a failure. */
export const FINGERPRINT_PREFIX_MIN = 6;
/** Fixes attached to each search result. */
export const FIXES_PER_RESULT = 10;
/** bm25 weights of failure_search's columns: fingerprint (not indexed), type, message, example, fixes. */
const BM25 = 'bm25(failure_search, 0, 5, 10, 1, 3)';

/**
 * Failure memory in one SQLite database with the schema of migration 5: the workdir's state.db, or the user store
 * (~/.mux-swarm/memory.db). Every text written is passed through redactSecrets first, so no secret reaches the file.
 */
export class FailureStore {
  readonly database: SqliteDatabase;
  private readonly secrets: SecretScrubber;

  constructor(database: SqliteDatabase, options: FailureStoreOptions = {}) {
    const version = z.number().parse(database.pragma('user_version', { simple: true }));
    if (version < 7)
      throw new MuxSwarmError(
        'memory_schema_old',
        `this database has schema version ${version}; failure memory needs 7 or later (open it with openDatabase)`,
      );
    this.database = database;
    this.secrets = scrubberOf(options.secrets);
  }

  /** Counts one more occurrence of a failure, creating it (with this output as its example) the first time. */
  recordOccurrence(signature: FailureSignatureInput, example: string, at: string): FailureRecord {
    this.upsertFailure(signature, example, at, 1);
    return this.failureExact(signature.fingerprint)!;
  }

  /** Makes sure the failure exists, without counting an occurrence (a fix arrived for a failure never seen here). */
  ensureFailure(signature: FailureSignatureInput, example: string, at: string): void {
    this.upsertFailure(signature, example, at, 0);
  }

  /**
   * A retry observation: the failed step was run again with no change to the workdir and passed (`worked`) or failed
   * the same way again (`failed`). The failure must be in this store.
   */
  recordRetry(fingerprint: string, outcome: 'worked' | 'failed', at: string): void {
    const column = outcome === 'worked' ? 'retry_worked' : 'retry_failed';
    this.database
      .prepare(
        `UPDATE failures SET ${column} = ${column} + 1, last_seen_at = max(last_seen_at, ?) WHERE fingerprint = ?`,
      )
      .run(at, fingerprint);
  }

  /** A failure by its fingerprint or a unique prefix of it (six characters or more); an ambiguous prefix throws. */
  failure(fingerprint: string): FailureRecord | undefined {
    const exact = this.failureExact(fingerprint);
    if (exact || fingerprint.length < FINGERPRINT_PREFIX_MIN) return exact;
    const matches = this.fingerprintsStartingWith(fingerprint, 6); // six: enough to name five and say there are more
    if (matches.length > 1)
      throw new MuxSwarmError(
        'memory_ambiguous',
        `"${fingerprint}" is the start of ${matches.length > 5 ? 'more than 5' : matches.length} fingerprints (${matches.slice(0, 5).join(', ')}); give more of it`,
      );
    return matches[0] === undefined ? undefined : this.failureExact(matches[0]);
  }

  /** The fixes recorded for a failure, best first (see compareFixes). */
  fixesFor(fingerprint: string, limit?: number): FixRecord[] {
    return this.database
      .prepare(
        `SELECT * FROM failure_fixes WHERE fingerprint = ? ORDER BY worked - failed DESC, worked DESC, updated_at DESC, uid LIMIT ?`,
      )
      .all(fingerprint, limit ?? -1)
      .map(toFix);
  }

  /** A fix by its uid or its row id here. */
  fix(idOrUid: number | string): FixRecord | undefined {
    const byUid =
      typeof idOrUid === 'string'
        ? this.database.prepare(`SELECT * FROM failure_fixes WHERE uid = ?`).get(idOrUid)
        : undefined;
    if (byUid !== undefined) return toFix(byUid);
    const id = typeof idOrUid === 'number' ? idOrUid : /^\d{1,15}$/.test(idOrUid) ? Number(idOrUid) : undefined;
    const byId =
      id === undefined ? undefined : this.database.prepare(`SELECT * FROM failure_fixes WHERE id = ?`).get(id);
    return byId === undefined ? undefined : toFix(byId);
  }

  /**
   * Records that a fix worked or failed. The same fix (same failure, description up to case and spacing, and diff)
   * recorded again is one row whose count goes up. The failure must be in this store.
   */
  recordFix(fix: NewFix): FixRecord {
    if (!this.failureExact(fix.fingerprint)) {
      throw new MuxSwarmError(
        'memory_unknown_failure',
        `cannot record a fix for failure ${fix.fingerprint}: it is not in this store (record the failure with recordOccurrence or ensureFailure first)`,
      );
    }
    const description = this.redact(fix.description).trim();
    if (description === '')
      throw new MuxSwarmError(
        'memory_bad_fix',
        `a fix for failure ${fix.fingerprint} needs a description of what was changed`,
      );
    const diff = fix.diff == null ? null : this.redact(fix.diff);
    const uid = fixUid(fix.fingerprint, description, diff);
    const [worked, failed] = fix.outcome === 'worked' ? [1, 0] : [0, 1];
    this.database
      .prepare(
        `INSERT INTO failure_fixes (uid, fingerprint, description, explanation, files_json, diff, source, run_id, created_at, updated_at, worked, failed)
         VALUES (@uid, @fingerprint, @description, @explanation, @files, @diff, @source, @runId, @at, @at, @worked, @failed)
         ON CONFLICT(uid) DO UPDATE SET worked = worked + excluded.worked, failed = failed + excluded.failed, updated_at = max(updated_at, excluded.updated_at)`,
      )
      .run({
        uid,
        fingerprint: fix.fingerprint,
        description,
        explanation: fix.explanation == null ? null : this.redact(fix.explanation),
        files: JSON.stringify((fix.files ?? []).map((file) => this.redact(file))),
        diff,
        source: fix.source,
        runId: fix.runId ?? null,
        at: fix.at,
        worked,
        failed,
      });
    return this.fix(uid)!;
  }

  /** One more success or failure of a known fix, by uid or row id. */
  rateFix(idOrUid: number | string, outcome: 'worked' | 'failed', at: string): FixRecord {
    const known = this.fix(idOrUid);
    if (!known)
      throw new MuxSwarmError(
        'memory_unknown_fix',
        `no fix "${idOrUid}" in this store; fixes are named by the uid \`mux-swarm memory show\` prints`,
      );
    const column = outcome === 'worked' ? 'worked' : 'failed';
    this.database
      .prepare(`UPDATE failure_fixes SET ${column} = ${column} + 1, updated_at = max(updated_at, ?) WHERE uid = ?`)
      .run(at, known.uid);
    return this.fix(known.uid)!;
  }

  /**
   * Failures matching `text`, best first, each with its best fixes: a fingerprint prefix, then all words (whole, by
   * bm25), then all words as prefixes, and only when those found nothing any word as a prefix.
   */
  search(text: string, limit = 10): Array<{ failure: FailureRecord; fixes: FixRecord[] }> {
    const found = new Set<string>();
    const query = text.trim();
    if (/^\S+$/u.test(query) && query.length >= FINGERPRINT_PREFIX_MIN)
      for (const fingerprint of this.fingerprintsStartingWith(query)) found.add(fingerprint);
    const terms = quotedTerms(query);
    if (terms.length > 0) {
      const before = found.size;
      for (const fingerprint of this.matching(allTermsExactly(terms))) found.add(fingerprint);
      for (const fingerprint of this.matching(allTermsAsPrefixes(terms))) found.add(fingerprint);
      if (found.size === before && terms.length > 1)
        for (const fingerprint of this.matching(anyTermAsPrefix(terms))) found.add(fingerprint);
    }
    return [...found].slice(0, limit).flatMap((fingerprint) => {
      const failure = this.failureExact(fingerprint);
      return failure ? [{ failure, fixes: this.fixesFor(fingerprint, FIXES_PER_RESULT) }] : [];
    });
  }

  /** Removes a failure with all its fixes (fingerprint or unique prefix), or one fix (uid or row id). */
  forget(id: string): ForgetResult {
    const failure = this.failure(id);
    if (failure) {
      const fixes = z
        .number()
        .parse(
          this.database
            .prepare(`SELECT count(*) FROM failure_fixes WHERE fingerprint = ?`)
            .pluck()
            .get(failure.fingerprint),
        );
      this.database.prepare(`DELETE FROM failures WHERE fingerprint = ?`).run(failure.fingerprint);
      return { kind: 'failure', fingerprint: failure.fingerprint, fixes };
    }
    const fix = this.fix(id);
    if (!fix)
      throw new MuxSwarmError(
        'memory_not_found',
        `no failure or fix "${id}" in this store; give a fingerprint (or six characters of one) or a fix uid, as \`mux-swarm memory search\` prints them`,
      );
    this.database.prepare(`DELETE FROM failure_fixes WHERE uid = ?`).run(fix.uid);
    return { kind: 'fix', uid: fix.uid };
  }

  /** Every failure, oldest first. */
  listFailures(): FailureRecord[] {
    return this.database.prepare(`SELECT * FROM failures ORDER BY first_seen_at, fingerprint`).all().map(toFailure);
  }

  /** Every fix, grouped by failure, oldest first. */
  listFixes(): FixRecord[] {
    return this.database.prepare(`SELECT * FROM failure_fixes ORDER BY fingerprint, created_at, id`).all().map(toFix);
  }

  /** Every failure (oldest first), then every fix, as JSONL lines. */
  exportLines(): string[] {
    return toLines(this.listFailures(), this.listFixes());
  }

  /**
   * Adds exported lines to this store in one transaction. A failure already here keeps its signature and example
   * and takes the larger occurrence count; a fix already here (same uid) takes the larger of each count, so
   * importing a file twice changes nothing. Fix lines may come before their failure line. New fixes get source
   * "import". Missing dates are `at`.
   */
  importLines(lines: Iterable<string>, at: string): ImportResult {
    const result: ImportResult = { failures: 0, fixes: 0, merged: 0, skipped: [] };
    const failures: FailureLine[] = [];
    const fixes: Array<[number, FixLine]> = [];
    let number = 0;
    for (const text of lines) {
      number += 1;
      const parsed = parseMemoryLine(text);
      if ('problem' in parsed) result.skipped.push({ line: number, problem: parsed.problem });
      else if ('line' in parsed) {
        const { line } = parsed;
        if (line.type === 'failure') failures.push(line);
        else fixes.push([number, line]);
      }
    }
    this.database.transaction(() => {
      for (const line of failures) {
        if (this.importFailure(lineToFailure(line, at))) result.merged += 1;
        result.failures += 1;
      }
      for (const [lineNumber, line] of fixes) {
        const outcome = this.importFix(line, at);
        if (outcome === 'merged') result.merged += 1;
        if (outcome === 'merged' || outcome === 'added') result.fixes += 1;
        else result.skipped.push({ line: lineNumber, problem: outcome });
      }
    })();
    result.skipped.sort((left, right) => left.line - right.line);
    return result;
  }

  private upsertFailure(signature: FailureSignatureInput, example: string, at: string, occurrences: number): void {
    this.database
      .prepare(
        `INSERT INTO failures (fingerprint, kind, type, message, frame, example, occurrences, first_seen_at, last_seen_at)
         VALUES (@fingerprint, @kind, @type, @message, @frame, @example, @occurrences, @at, @at)
         ON CONFLICT(fingerprint) DO UPDATE SET occurrences = occurrences + excluded.occurrences,
           first_seen_at = min(first_seen_at, excluded.first_seen_at),
           last_seen_at = CASE WHEN excluded.occurrences > 0 THEN max(last_seen_at, excluded.last_seen_at) ELSE last_seen_at END`,
      )
      .run({
        fingerprint: signature.fingerprint,
        kind: signature.kind,
        type: this.redact(signature.type),
        message: this.redact(signature.message),
        frame: signature.frame === null ? null : this.redact(signature.frame),
        example: capExample(this.redact(example)),
        occurrences,
        at,
      });
  }

  /** True when the failure was already here. */
  private importFailure(failure: FailureRecord): boolean {
    const known = this.failureExact(failure.fingerprint) !== undefined;
    this.database
      .prepare(
        `INSERT INTO failures (fingerprint, kind, type, message, frame, example, occurrences, first_seen_at, last_seen_at, retry_worked, retry_failed)
         VALUES (@fingerprint, @kind, @type, @message, @frame, @example, @occurrences, @firstSeenAt, @lastSeenAt, @retryWorked, @retryFailed)
         ON CONFLICT(fingerprint) DO UPDATE SET occurrences = max(occurrences, excluded.occurrences),
           retry_worked = max(retry_worked, excluded.retry_worked), retry_failed = max(retry_failed, excluded.retry_failed),
           first_seen_at = min(first_seen_at, excluded.first_seen_at), last_seen_at = max(last_seen_at, excluded.last_seen_at)`,
      )
      .run({
        ...failure,
        type: this.redact(failure.type),
        message: this.redact(failure.message),
        frame: failure.frame === null ? null : this.redact(failure.frame),
        example: capExample(this.redact(failure.example)),
      });
    return known;
  }

  /** "added", "merged", or why the line was skipped. */
  private importFix(line: FixLine, at: string): string {
    const known = z
      .string()
      .optional()
      .parse(this.database.prepare(`SELECT fingerprint FROM failure_fixes WHERE uid = ?`).pluck().get(line.uid));
    if (known !== undefined && known !== line.fingerprint)
      return `fix ${line.uid} belongs to failure ${known} in this store, not ${line.fingerprint}`;
    if (known === undefined && !this.failureExact(line.fingerprint))
      return `fix ${line.uid} is for failure ${line.fingerprint}, which is neither in the file nor in this store`;
    const createdAt = line.createdAt ?? at;
    const updatedAt = line.updatedAt ?? at;
    if (known !== undefined) {
      this.database
        .prepare(
          `UPDATE failure_fixes SET worked = max(worked, ?), failed = max(failed, ?), created_at = min(created_at, ?), updated_at = max(updated_at, ?) WHERE uid = ?`,
        )
        .run(line.worked, line.failed, createdAt, updatedAt, line.uid);
      return 'merged';
    }
    this.database
      .prepare(
        `INSERT INTO failure_fixes (uid, fingerprint, description, explanation, files_json, diff, source, run_id, created_at, updated_at, worked, failed)
         VALUES (?, ?, ?, ?, ?, ?, 'import', ?, ?, ?, ?, ?)`,
      )
      .run(
        line.uid,
        line.fingerprint,
        this.redact(line.description),
        line.explanation === null ? null : this.redact(line.explanation),
        JSON.stringify(line.files.map((file) => this.redact(file))),
        line.diff === null ? null : this.redact(line.diff),
        line.runId,
        createdAt,
        updatedAt,
        line.worked,
        line.failed,
      );
    return 'added';
  }

  private failureExact(fingerprint: string): FailureRecord | undefined {
    const row = this.database.prepare(`SELECT * FROM failures WHERE fingerprint = ?`).get(fingerprint);
    return row === undefined ? undefined : toFailure(row);
  }

  private fingerprintsStartingWith(prefix: string, limit = -1): string[] {
    return textColumn.parse(
      this.database
        .prepare(`SELECT fingerprint FROM failures WHERE substr(fingerprint, 1, ?) = ? ORDER BY fingerprint LIMIT ?`)
        .pluck()
        .all(prefix.length, prefix, limit),
    );
  }

  private matching(expression: string): string[] {
    return textColumn.parse(
      this.database
        .prepare(`SELECT fingerprint FROM failure_search WHERE failure_search MATCH ? ORDER BY ${BM25}, rowid`)
        .pluck()
        .all(expression),
    );
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}

/** JSONL lines: the failures, then the fixes. */
export function toLines(failures: readonly FailureRecord[], fixes: readonly FixRecord[]): string[] {
  return [
    ...failures.map((failure) => JSON.stringify(failureToLine(failure))),
    ...fixes.map((fix) => JSON.stringify(fixToLine(fix))),
  ];
}

/** The same fix everywhere: first 16 hex digits of sha256(fingerprint, description up to case and spacing, diff). */
export function fixUid(fingerprint: string, description: string, diff: string | null): string {
  const normalised = description.trim().replace(/\s+/gu, ' ').toLowerCase();
  return createHash('sha256')
    .update(`${fingerprint}\0${normalised}\0${diff ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

/** The start and the end of a long output (an error is usually at the end), with how much was left out between. */
export function capExample(text: string): string {
  if (text.length <= EXAMPLE_MAX_CHARS) return text;
  const head = 1024;
  const tail = EXAMPLE_MAX_CHARS - head - 48; // room for the marker
  return `${text.slice(0, head)}\n[… ${text.length - head - tail} characters left out …]\n${text.slice(-tail)}`;
}

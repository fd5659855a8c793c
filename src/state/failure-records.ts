import { z } from 'zod';
import { parseJsonLine } from './json-line.js';

/**
 * The records of failure memory (migration 5) as the rest of mux-swarm sees them, the JSONL lines of
 * `mux-swarm memory export`, and how two copies of one record (two stores, or a store and an import) merge.
 */

/** What identifies a failure: the fingerprint and the normalised signature it was computed from. */
export interface FailureSignatureInput {
  fingerprint: string;
  kind: string;
  type: string;
  message: string;
  frame: string | null;
}

export interface FailureRecord extends FailureSignatureInput {
  /** The output of the first occurrence, redacted and capped. */
  example: string;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  /**
   * Retry observations, not fixes: how often the failed step passed when simply run again with no change to the
   * workdir (a sign the failure may be transient), and how often it failed the same way again unchanged (a sign
   * it is not).
   */
  retryWorked: number;
  retryFailed: number;
}

export const FIX_SOURCES = ['runtime', 'agent', 'import'] as const;
export type FixSource = (typeof FIX_SOURCES)[number];

export interface FixRecord {
  /** The row id: numbers are per store, the uid is the same everywhere. */
  id: number;
  uid: string;
  fingerprint: string;
  description: string;
  explanation: string | null;
  files: string[];
  diff: string | null;
  source: FixSource;
  runId: string | null;
  createdAt: string;
  updatedAt: string;
  /** How often applying the fix made the failure go away, and how often it did not. */
  worked: number;
  failed: number;
}

const count = z.number().int().min(0);
/** Optional in a line: the import's own time stands in. */
const timestamp = z.string().min(1, { error: 'must be a timestamp such as 2025-01-01T10:00:00Z' }).optional();

/** `{"type":"failure",…}`: the error's own type is `errorType`, since `type` names the line. */
export const failureLineSchema = z.strictObject({
  type: z.literal('failure'),
  fingerprint: z.string().min(1),
  kind: z.string().min(1),
  errorType: z.string(),
  message: z.string(),
  frame: z.string().nullable().default(null),
  example: z.string().default(''),
  occurrences: count.default(0),
  firstSeenAt: timestamp,
  lastSeenAt: timestamp,
  retryWorked: count.default(0),
  retryFailed: count.default(0),
});

/** `{"type":"fix",…}`: refers to its failure by fingerprint. */
export const fixLineSchema = z.strictObject({
  type: z.literal('fix'),
  uid: z.string().regex(/^[0-9a-f]{16}$/, { error: 'must be 16 lowercase hex digits, as mux-swarm writes it' }),
  fingerprint: z.string().min(1),
  description: z.string().min(1),
  explanation: z.string().nullable().default(null),
  files: z.array(z.string()).default([]),
  diff: z.string().nullable().default(null),
  source: z.enum(FIX_SOURCES),
  runId: z.string().nullable().default(null),
  createdAt: timestamp,
  updatedAt: timestamp,
  worked: count,
  failed: count,
});

export const memoryLineSchema = z.discriminatedUnion('type', [failureLineSchema, fixLineSchema], {
  error: 'needs "type": "failure" or "fix"',
});
export type FailureLine = z.infer<typeof failureLineSchema>;
export type FixLine = z.infer<typeof fixLineSchema>;
export type MemoryLine = z.infer<typeof memoryLineSchema>;

export function failureToLine(failure: FailureRecord): FailureLine {
  const { type, ...rest } = failure;
  return { type: 'failure', ...rest, errorType: type };
}

/** A failure line as a record; `at` stands in for missing dates. */
export function lineToFailure(line: FailureLine, at: string): FailureRecord {
  const { type: _line, errorType, firstSeenAt, lastSeenAt, ...rest } = line;
  return { ...rest, type: errorType, firstSeenAt: firstSeenAt ?? at, lastSeenAt: lastSeenAt ?? at };
}

export function fixToLine(fix: FixRecord): FixLine {
  const { id: _id, ...rest } = fix;
  return { type: 'fix', ...rest };
}

/** One failure known to two stores: the first's signature and example, the larger count, the widest span. */
export function mergeFailures(first: FailureRecord, second: FailureRecord): FailureRecord {
  return {
    ...first,
    occurrences: Math.max(first.occurrences, second.occurrences),
    retryWorked: Math.max(first.retryWorked, second.retryWorked),
    retryFailed: Math.max(first.retryFailed, second.retryFailed),
    firstSeenAt: earlier(first.firstSeenAt, second.firstSeenAt),
    lastSeenAt: later(first.lastSeenAt, second.lastSeenAt),
  };
}

/** One fix (same uid) known to two stores: the first's text, the larger of each count, the widest span. */
export function mergeFixes(first: FixRecord, second: FixRecord): FixRecord {
  return {
    ...first,
    explanation: first.explanation ?? second.explanation,
    worked: Math.max(first.worked, second.worked),
    failed: Math.max(first.failed, second.failed),
    createdAt: earlier(first.createdAt, second.createdAt),
    updatedAt: later(first.updatedAt, second.updatedAt),
  };
}

/** Best first: more successes than failures, then more successes, then the most recently used. */
export function compareFixes(left: FixRecord, right: FixRecord): number {
  return (
    right.worked - right.failed - (left.worked - left.failed) ||
    right.worked - left.worked ||
    right.updatedAt.localeCompare(left.updatedAt) ||
    left.uid.localeCompare(right.uid)
  );
}

export function earlier(left: string, right: string): string {
  return left <= right ? left : right;
}

export function later(left: string, right: string): string {
  return left >= right ? left : right;
}

/** One JSONL line read: the validated line, nothing (a blank line), or what is wrong with it. */
export function parseMemoryLine(text: string): { line: MemoryLine } | { blank: true } | { problem: string } {
  if (text.trim() === '') return { blank: true };
  return parseJsonLine(text, memoryLineSchema);
}

import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import type { FailureMemory } from './failure-memory.js';
import type { FixRecord } from '../state/failure-records.js';
import { fingerprintFailure } from './failure-fingerprint.js';

/**
 * Failure memory as agents ask it (the memory server's search_fixes, record_fix and rate_fix): a failure looked up
 * by the text of its error, a fix an agent made recorded under that error's fingerprint, and a known fix rated. The
 * runtime records on its own the failures and fixes it sees; these add what only an agent knows.
 */

/** A fix as an agent reads it. */
export interface FixView {
  id: string;
  description: string;
  explanation: string | null;
  files: string[];
  diff: string | null;
  worked: number;
  failed: number;
  source: FixRecord['source'];
}

export interface FoundFailure {
  fingerprint: string;
  type: string;
  message: string;
  occurrences: number;
  fixes: FixView[];
}

/** How a search matched: the error's fingerprint, else its words, else nothing. */
export interface FixSearch {
  matched: 'fingerprint' | 'text' | 'none';
  results: FoundFailure[];
}

/** The failures an error is (its fingerprint, when known) or resembles (a text search), with their fixes. */
export function searchFixes(memory: FailureMemory, error: string, limit: number): FixSearch {
  const fingerprint = fingerprintFailure(error, {});
  const exact = fingerprint === undefined ? undefined : memory.failure(fingerprint.id);
  const found =
    exact !== undefined ? [{ failure: exact, fixes: memory.fixesFor(exact.fingerprint) }] : memory.search(error, limit);
  const results = found.map(({ failure, fixes }) => ({
    fingerprint: failure.fingerprint,
    type: failure.type,
    message: failure.message,
    occurrences: failure.occurrences,
    fixes: fixes.map(fixView),
  }));
  return { matched: exact !== undefined ? 'fingerprint' : results.length > 0 ? 'text' : 'none', results };
}

/** A fix an agent made, and whether the step succeeded after it. */
export interface AgentFix {
  error: string;
  description: string;
  explanation?: string | undefined;
  files?: string[] | undefined;
  diff?: string | undefined;
  worked: boolean;
}

/**
 * Records an agent's fix under the fingerprint of the error it gives; an output with no recognisable failure is
 * read as a command that exited 1. Throws when no error can be told from it at all.
 */
export function recordAgentFix(
  memory: FailureMemory,
  fix: AgentFix,
  at: string,
): { fix: FixView; fingerprint: string } {
  const fingerprint = fingerprintFailure(fix.error, {}) ?? fingerprintFailure(fix.error, { exitCode: 1 });
  if (fingerprint === undefined)
    throw new MuxSwarmError(
      'memory_no_failure',
      'record_fix: no error could be recognised in `error`; pass the error as it was printed (the traceback or the error line).',
    );
  const { kind, type, message, frame } = fingerprint.signature;
  const recorded = memory.recordFix(
    {
      fingerprint: fingerprint.id,
      description: fix.description,
      explanation: fix.explanation ?? null,
      files: fix.files ?? [],
      diff: fix.diff ?? null,
      source: 'agent',
      outcome: fix.worked ? 'worked' : 'failed',
      at,
    },
    { fingerprint: fingerprint.id, kind, type, message, frame },
    fix.error,
  );
  return { fix: fixView(recorded), fingerprint: fingerprint.id };
}

/** Rates a known fix by its id, as a tool result shows it (`fix 3fa2c1d9e0b7a541` or the bare id). */
export function rateAgentFix(memory: FailureMemory, id: string, worked: boolean, at: string): FixView {
  return fixView(memory.rateFix(id.replace(/^fix\s+/i, ''), worked ? 'worked' : 'failed', at));
}

function fixView(fix: FixRecord): FixView {
  return {
    id: fix.uid,
    description: fix.description,
    explanation: fix.explanation,
    files: fix.files,
    diff: fix.diff,
    worked: fix.worked,
    failed: fix.failed,
    source: fix.source,
  };
}

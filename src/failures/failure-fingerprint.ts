// Fingerprints of failures: the same error on another machine, path or line number gets the same id; different
// errors get different ids. See docs/failure-fingerprints.md for the recognition order and the normalisation rules.
import { createHash } from 'node:crypto';
import { readTerminalLines } from './python-traceback/python-traceback-lines.js';
import { PYTHON_TRACEBACK_TAIL_CHARACTERS } from './python-traceback/python-traceback.js';
import { cudaFailureInLines } from './cuda-failure.js';
import type { FailureContext, FailureSignature } from './failure-signature.js';
import { genericFailure } from './generic-failure.js';
import { nodeFailure } from './node-failure.js';
import { npmFailure } from './npm-failure.js';
import { pythonFailure } from './python-failure.js';
import { pytestFailure } from './pytest-failure.js';
import { shellFailure } from './shell-failure.js';

export type { FailureContext, FailureKind, FailureSignature } from './failure-signature.js';

/** id: the first 16 hex characters of sha256 over `kind|type|message|frame` (frame '' when null). */
export interface Fingerprint {
  id: string;
  signature: FailureSignature;
}

/** Only the end of an output is read (256 Ki characters, as the traceback parser does). */
export const FAILURE_TAIL_CHARACTERS = PYTHON_TRACEBACK_TAIL_CHARACTERS;

/**
 * The fingerprint of an error output (a tool result's text, a job's log tail, a training job's log tail), or
 * undefined when it holds no recognisable failure. Never throws; bounded time on 10 MB input (reads only the
 * tail, like the traceback parser).
 *
 * Recognisers, most specific first: pytest's summary, a Python traceback (GPU errors in it → kind cuda), a GPU
 * error printed without one, an uncaught Node.js error, npm's error block, a shell error; then, with a non-zero
 * exit code or a signal in the context, a generic failure. A context with exit code 0 (and no signal) is a
 * success: undefined, whatever the output says.
 */
export function fingerprintFailure(output: string, context?: FailureContext): Fingerprint | undefined {
  const facts: FailureContext = context ?? {};
  try {
    const signature = recogniseFailure(typeof output === 'string' ? output : '', facts);
    return signature === undefined ? undefined : fingerprintOf(signature);
  } catch {
    const fallback = safeGenericFailure(facts);
    return fallback === undefined ? undefined : fingerprintOf(fallback);
  }
}

/** The fingerprint of a signature already made (by a caller that classified a failure itself). */
export function fingerprintOf(signature: FailureSignature): Fingerprint {
  const hashed = [signature.kind, signature.type, signature.message, signature.frame ?? ''].join('|');
  return { id: createHash('sha256').update(hashed).digest('hex').slice(0, 16), signature };
}

function recogniseFailure(output: string, context: FailureContext): FailureSignature | undefined {
  if (context.exitCode === 0 && !context.signal) return undefined;
  const lines = readTerminalLines(output, FAILURE_TAIL_CHARACTERS);
  return (
    pytestFailure(lines) ??
    pythonFailure(output, lines) ??
    cudaFailureInLines(lines) ??
    nodeFailure(lines) ??
    npmFailure(lines) ??
    shellFailure(lines, context) ??
    genericFailure(lines, context)
  );
}

function safeGenericFailure(context: FailureContext): FailureSignature | undefined {
  try {
    return genericFailure([], context);
  } catch {
    return undefined;
  }
}

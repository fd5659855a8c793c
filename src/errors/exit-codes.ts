import { ERROR_CODES, type ExitKind } from './error-codes.js';
import { isMuxSwarmError } from './mux-swarm-error.js';

/** Exit codes, documented in docs/errors.md and the README: the outcome of a command as a shell sees it. */
export const EXIT_CODES = {
  success: 0,
  goalFailed: 1,
  usage: 2,
  limit: 3,
  /** A bug or an unexpected failure inside mux-swarm (not a run outcome): the watchdog restarts on it. */
  internal: 70,
  /**
   * A model provider failed (down, rate-limited, hanging) after its retries and every failover: nothing is lost, and the
   * same run resumes where it stopped once the provider answers (sysexits' EX_TEMPFAIL: "try again later").
   */
  providerOutage: 75,
  interrupted: 130,
} as const;

const EXIT_CODE_OF: Record<ExitKind, number> = {
  usage: EXIT_CODES.usage,
  failure: EXIT_CODES.goalFailed,
  unavailable: EXIT_CODES.goalFailed,
  limit: EXIT_CODES.limit,
  outage: EXIT_CODES.providerOutage,
  interrupted: EXIT_CODES.interrupted,
};

/**
 * How a command reads an error mux-swarm raised on purpose. `outcome` (every command by default): the exit code its
 * code lists. `input` (the memory and hub subcommands, whose work is reading what they were given): a failure means
 * bad input, 2; a service that did not answer is still 1.
 */
export type ErrorReading = 'outcome' | 'input';

/** The exit code of a command that ended on `error`: the one place it is chosen. Anything not a MuxSwarmError is a bug: 70. */
export function exitCodeForError(error: unknown, reading: ErrorReading = 'outcome'): number {
  if (!isMuxSwarmError(error)) return EXIT_CODES.internal;
  const kind = ERROR_CODES[error.code].exit;
  return EXIT_CODE_OF[reading === 'input' && kind === 'failure' ? 'usage' : kind];
}

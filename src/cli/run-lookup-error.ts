import { isMuxSwarmError } from '../errors/mux-swarm-error.js';

/** Codes of a run that cannot be found: no state database, no such run, a prefix of several. */
const RUN_LOOKUP_CODES = new Set(['no_state', 'run_not_found', 'run_ambiguous']);

/**
 * Whether an error says the run asked for cannot be found: a usage error (exit 2) in every command that takes a run
 * (show, report, results, resume, export, replay, …), so that scripts see one code for "no such run". Kept apart
 * from state-access.ts so that main.ts can ask without loading SQLite.
 */
export function isRunLookupError(error: unknown): boolean {
  return isMuxSwarmError(error) && RUN_LOOKUP_CODES.has(error.code);
}

import { MuxSwarmError } from './mux-swarm-error.js';

/**
 * An error of the PostgreSQL hub layer that a person can act on: a hub that cannot be reached or is not initialised,
 * a key file that is not an ed25519 key, a git command that failed. `code` is stable (`hub_unreachable`,
 * `hub_not_initialised`, `key_invalid`, `git_failed`, …).
 */
export class PgHubError extends MuxSwarmError {}

import { Option, type Command } from 'commander';
import { isMuxSwarmError } from '../../../errors/mux-swarm-error.js';
import { isHubUnreachable } from '../../../hub/hub-error.js';
import { EXIT_CODES } from '../../../runtime/run-result.js';
import type { CommandOutcome } from '../../command-outcome.js';

export interface DbOptions {
  db?: string;
}

/** `--db <url>`, or $MUX_SWARM_HUB_URL (which keeps the password out of the process list). */
export function addDbOption(command: Command): Command {
  return command.addOption(new Option('--db <url>', 'the hub: postgres://user:password@host:5432/database').env('MUX_SWARM_HUB_URL'));
}

export function requireDb(options: DbOptions): string {
  if (!options.db) throw new HubUsageError('no hub given: pass --db postgres://user:password@host:5432/database, or set MUX_SWARM_HUB_URL');
  return options.db;
}

class HubUsageError extends Error {}

/** Exit code when the hub cannot be reached (a runtime condition, not bad input). */
export const HUB_UNREACHABLE = 1;

/**
 * Runs a hub subcommand's async action and sets its exit code: 0, or what it returns; 1 when the hub cannot be
 * reached; 2 for bad input (a missing --db, a bad key file, an unknown node). Errors are printed without
 * secrets: URLs in messages have their password masked.
 */
export function hubAction<Args extends unknown[]>(outcome: CommandOutcome, action: (...args: Args) => Promise<number | void>): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      outcome.exitCode = (await action(...args)) ?? 0;
    } catch (error) {
      if (!(error instanceof HubUsageError) && !isMuxSwarmError(error)) throw error;
      process.stderr.write(`mux-swarm: ${error.message}\n`);
      outcome.exitCode = isHubUnreachable(error) ? HUB_UNREACHABLE : EXIT_CODES.usage;
    }
  };
}

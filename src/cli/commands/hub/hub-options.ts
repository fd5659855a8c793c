import { Option, type Command } from 'commander';
import { exitCodeForError } from '../../../errors/exit-codes.js';
import { HubUsageError } from '../../../errors/hub-usage-error.js';
import { isMuxSwarmError } from '../../../errors/mux-swarm-error.js';
import type { CommandOutcome } from '../../command-outcome.js';

export interface DbOptions {
  hub?: string;
  /** The option's former name, still accepted (not shown in help). */
  db?: string;
}

/**
 * `--hub <url>` (the name `run --hub` has too), or $MUX_SWARM_HUB_URL (which keeps the password out of the process
 * list); `--db <url>`, its former name, is still read.
 */
export function addDbOption(command: Command): Command {
  return command
    .addOption(
      new Option('--hub <url>', 'the hub: postgres://user:password@host:5432/database').env('MUX_SWARM_HUB_URL'),
    )
    .addOption(new Option('--db <url>', 'former name of --hub').hideHelp());
}

export function requireDb(options: DbOptions): string {
  const url = options.db ?? options.hub;
  if (!url)
    throw new HubUsageError(
      'no hub given: pass --hub postgres://user:password@host:5432/database, or set MUX_SWARM_HUB_URL',
    );
  return url;
}

/**
 * Runs a hub subcommand's async action and sets its exit code: 0, or what it returns; 1 when the hub cannot be
 * reached; 2 for bad input (a missing --hub, a bad key file, an unknown node). Errors are printed without
 * secrets: URLs in messages have their password masked.
 */
export function hubAction<Args extends unknown[]>(
  outcome: CommandOutcome,
  action: (...args: Args) => Promise<number | void>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      outcome.exitCode = (await action(...args)) ?? 0;
    } catch (error) {
      if (!isMuxSwarmError(error)) throw error;
      process.stderr.write(`mux-swarm: ${error.message}\n`);
      outcome.exitCode = exitCodeForError(error, 'input');
    }
  };
}

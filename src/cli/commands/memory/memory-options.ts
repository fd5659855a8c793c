import { Option, type Command } from 'commander';
import { exitCodeForError } from '../../../errors/exit-codes.js';
import { isMuxSwarmError } from '../../../errors/mux-swarm-error.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { addProjectOptions } from '../../common-options.js';

/** --config/--workdir (as `runs`), and where the user store is. */
export function addMemoryOptions(command: Command): Command {
  return addProjectOptions(command)
    .option(
      '--user-store <dir>',
      "the user store's directory, holding memory.db (default: memory.userStore in config.json, else ~/.mux-swarm)",
    )
    .option('--no-user-store', "use only the workdir's store (state.db)");
}

/** `--store workdir|user|both`. */
export function storeOption(description: string, choices: readonly string[], defaultValue: string): Option {
  return new Option('--store <store>', description).choices(choices).default(defaultValue);
}

/**
 * Runs a subcommand's action and sets the exit code it returns; an error mux-swarm raised on purpose (a bad id, a
 * bad file, an invalid config) is printed and exits 2, since for these commands it always means bad input.
 */
export function exitWith<Args extends unknown[]>(
  outcome: CommandOutcome,
  action: (...args: Args) => number | Promise<number>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      outcome.exitCode = await action(...args);
    } catch (error) {
      if (!isMuxSwarmError(error)) throw error;
      process.stderr.write(`mux-swarm: ${error.message}\n`);
      outcome.exitCode = exitCodeForError(error, 'input');
    }
  };
}

/** Exit code of search and show when nothing matched. */
export const NOTHING_FOUND = 1;

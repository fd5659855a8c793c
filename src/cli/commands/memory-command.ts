import type { Command } from 'commander';
import type { CommandOutcome } from '../command-outcome.js';
import { registerMemorySearch, registerMemoryShow } from './memory/memory-read-commands.js';
import { registerMemoryExport, registerMemoryForget, registerMemoryImport } from './memory/memory-write-commands.js';

/**
 * `mux-swarm memory search|show|export|import|forget`: the failures runs met and the fixes that worked, in the
 * workdir's state.db and the user store (~/.mux-swarm/memory.db); export and import carry the memory server's
 * knowledge graph too. Exit 0, 1 when search/show find nothing, 2 for bad input (an unknown id, a bad file). See
 * docs/failure-memory.md.
 */
export function registerMemoryCommand(program: Command, outcome: CommandOutcome): void {
  const memory = program
    .command('memory')
    .description(
      'failure memory: the errors runs met and the fixes that worked (search, show, export, import, forget)',
    );
  registerMemorySearch(memory, outcome);
  registerMemoryShow(memory, outcome);
  registerMemoryExport(memory, outcome);
  registerMemoryImport(memory, outcome);
  registerMemoryForget(memory, outcome);
}

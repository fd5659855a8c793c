import type { Command } from 'commander';
import type { CommandOutcome } from '../../command-outcome.js';
import { positiveInteger } from '../../common-options.js';
import { formatFailure, formatSearchResult } from './memory-format.js';
import { addMemoryOptions, exitWith, NOTHING_FOUND } from './memory-options.js';
import type { MemoryCommandOptions, OpenStore } from './memory-stores.js';

interface SearchOptions extends MemoryCommandOptions {
  limit: number;
}

/** `memory search <text…>`: failures whose type, message, example or fixes match, each with its fixes. */
export function registerMemorySearch(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('search')
    .description(
      'remembered failures matching the words (or a fingerprint prefix), each with its fixes, best first; exit 1 when none matches',
    )
    .argument('<text...>', 'words of the error, e.g. max_seq_length TypeError')
    .option('-n, --limit <n>', 'most failures shown', positiveInteger, 10)
    .option('--json', 'machine-readable output: [{failure, fixes}]');
  addMemoryOptions(command).action(
    exitWith(outcome, async (words: string[], options: SearchOptions) => {
      const { asMemory, locateMemory, withStores } = await import('./memory-stores.js');
      const text = words.join(' ');
      return withStores(locateMemory(options), 'both', false, (stores) => {
        const results = asMemory(stores)?.search(text, options.limit) ?? [];
        if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        else if (results.length === 0)
          process.stdout.write(`No remembered failure matches "${text}"${searched(stores)}.\n`);
        else
          process.stdout.write(
            `${results.map(({ failure, fixes }) => formatSearchResult(failure, fixes)).join('\n\n')}\n`,
          );
        return results.length === 0 ? NOTHING_FOUND : 0;
      });
    }),
  );
}

/** `memory show <fingerprint>`: one failure with its example and every fix in full. */
export function registerMemoryShow(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('show')
    .description(
      'one remembered failure: its signature, an example, and every fix with its explanation and diff; exit 1 when unknown',
    )
    .argument('<fingerprint>', 'a fingerprint, or six or more characters of one')
    .option('--json', 'machine-readable output: {failure, fixes}');
  addMemoryOptions(command).action(
    exitWith(outcome, async (fingerprint: string, options: MemoryCommandOptions) => {
      const { asMemory, locateMemory, withStores } = await import('./memory-stores.js');
      return withStores(locateMemory(options), 'both', false, (stores) => {
        const memory = asMemory(stores);
        const failure = memory?.failure(fingerprint);
        if (!memory || !failure) {
          process.stderr.write(
            `No remembered failure ${fingerprint}${searched(stores)}; find one with \`mux-swarm memory search <words>\`.\n`,
          );
          return NOTHING_FOUND;
        }
        const fixes = memory.fixesFor(failure.fingerprint);
        process.stdout.write(
          options.json ? `${JSON.stringify({ failure, fixes }, null, 2)}\n` : `${formatFailure(failure, fixes)}\n`,
        );
        return 0;
      });
    }),
  );
}

/** " in a, b" naming the stores looked in, or that there is no memory yet. */
function searched(stores: readonly OpenStore[]): string {
  return stores.length === 0
    ? ' (no failure memory recorded yet here)'
    : ` in ${stores.map((store) => store.path).join(' or ')}`;
}

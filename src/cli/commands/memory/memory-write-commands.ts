import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MuxSwarmError } from '../../../errors/mux-swarm-error.js';
import { forgetEverywhere } from '../../../state/failure-memory.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { addMemoryOptions, exitWith, storeOption } from './memory-options.js';
import { asMemory, describeStore, locateMemory, withStores, type MemoryCommandOptions, type StoreChoice } from './memory-stores.js';

interface ExportOptions extends MemoryCommandOptions {
  output: string;
  store: StoreChoice;
}

interface StoreOptions extends MemoryCommandOptions {
  store: StoreChoice;
}

/** `memory export -o file.jsonl`: failures and fixes as JSON lines, to carry them to another box. */
export function registerMemoryExport(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('export')
    .description('write remembered failures and fixes as JSON lines, for `mux-swarm memory import` on another box')
    .requiredOption('-o, --output <file>', 'the file to write, e.g. lessons.jsonl')
    .addOption(storeOption('which store to export; both are merged (the larger counts kept)', ['workdir', 'user', 'both'], 'both'));
  addMemoryOptions(command).action(
    exitWith(outcome, (options: ExportOptions) =>
      withStores(locateMemory(options), options.store, false, (stores) => {
        const lines = asMemory(stores)?.exportLines() ?? [];
        writeFileSync(options.output, lines.map((line) => `${line}\n`).join(''));
        const failures = lines.filter((line) => (JSON.parse(line) as { type: string }).type === 'failure').length;
        const from = stores.length === 0 ? 'nothing recorded yet' : `from ${stores.map((store) => store.path).join(' and ')}`;
        process.stdout.write(`Exported ${plural(failures, 'failure')} and ${plural(lines.length - failures, 'fix', 'fixes')} (${from}) to ${options.output}.\n`);
        return 0;
      }),
    ),
  );
}

/** `memory import file.jsonl`: merges an export into the user store (default) or the workdir's. */
export function registerMemoryImport(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('import')
    .description('merge a file written by `mux-swarm memory export` into a store; importing twice changes nothing')
    .argument('<file>', 'a .jsonl file written by mux-swarm memory export')
    .addOption(storeOption('the store to import into: user (lessons from another box then serve every workdir here) or workdir', ['workdir', 'user'], 'user'))
    .option('--json', 'machine-readable output: {store, failures, fixes, merged, skipped}');
  addMemoryOptions(command).action(
    exitWith(outcome, (file: string, options: StoreOptions) => {
      const lines = readLines(file);
      return withStores(locateMemory(options), options.store, true, ([target]) => {
        const result = target!.store.importLines(lines, new Date().toISOString());
        const first = result.skipped[0];
        if (result.failures + result.fixes === 0) {
          throw new MuxSwarmError('memory_bad_import', first ? `${file} line ${first.line}: ${first.problem} (nothing imported)` : `${file} holds no failure memory lines; write one with \`mux-swarm memory export -o ${file}\``);
        }
        if (options.json) process.stdout.write(`${JSON.stringify({ store: target!.path, ...result }, null, 2)}\n`);
        else {
          const merged = result.merged > 0 ? ` (${result.merged} already there: the larger counts kept)` : '';
          process.stdout.write(`Imported ${plural(result.failures, 'failure')} and ${plural(result.fixes, 'fix', 'fixes')} into ${describeStore(target!)}${merged}.\n`);
          for (const skipped of result.skipped) process.stderr.write(`skipped ${file} line ${skipped.line}: ${skipped.problem}\n`);
        }
        return 0;
      });
    }),
  );
}

/** `memory forget <id>`: removes a failure (with its fixes) or one fix. */
export function registerMemoryForget(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('forget')
    .description('remove a remembered failure with all its fixes, or one fix; exit 2 when the id is unknown')
    .argument('<id>', 'a fingerprint (or six or more characters of one), or a fix uid')
    .addOption(storeOption('where to forget it', ['workdir', 'user', 'both'], 'both'))
    .option('--json', 'machine-readable output: [{store, path, result}]');
  addMemoryOptions(command).action(
    exitWith(outcome, (id: string, options: StoreOptions) =>
      withStores(locateMemory(options), options.store, false, (stores) => {
        const forgotten = forgetEverywhere(stores, id).map(({ name, result }) => ({ store: stores.find((store) => store.name === name)!, result }));
        if (options.json) process.stdout.write(`${JSON.stringify(forgotten.map(({ store, result }) => ({ store: store.name, path: store.path, result })), null, 2)}\n`);
        else {
          for (const { store, result } of forgotten) {
            const what = result.kind === 'failure' ? `failure ${result.fingerprint} and its ${plural(result.fixes, 'fix', 'fixes')}` : `fix ${result.uid}`;
            process.stdout.write(`Forgot ${what} in ${describeStore(store)}.\n`);
          }
        }
        return 0;
      }),
    ),
  );
}

/** The file's lines; an unreadable file is bad input. */
function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/u);
  } catch (error) {
    throw new MuxSwarmError('memory_bad_import', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MuxSwarmError } from '../../../errors/mux-swarm-error.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { addMemoryOptions, exitWith, storeOption } from './memory-options.js';
import type { MemoryCommandOptions, StoreChoice } from './memory-stores.js';

interface ExportOptions extends MemoryCommandOptions {
  output: string;
  store: StoreChoice;
}

interface StoreOptions extends MemoryCommandOptions {
  store: StoreChoice;
}

/** `memory export -o file.jsonl`: failures and fixes, then the knowledge graph, as JSON lines, to carry them to another box. */
export function registerMemoryExport(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('export')
    .description(
      "write remembered failures and fixes, and the knowledge graph's entities and relations, as JSON lines, for `mux-swarm memory import` on another box",
    )
    .requiredOption('-o, --output <file>', 'the file to write, e.g. lessons.jsonl')
    .addOption(
      storeOption(
        'which store to export; both are merged (the larger counts kept)',
        ['workdir', 'user', 'both'],
        'both',
      ),
    );
  addMemoryOptions(command).action(
    exitWith(outcome, async (options: ExportOptions) => {
      const [{ asMemory, locateMemory, withStores }, { exportGraph }] = await Promise.all([
        import('./memory-stores.js'),
        import('./memory-graph.js'),
      ]);
      const places = locateMemory(options);
      return withStores(places, options.store, false, (stores) => {
        const lines = asMemory(stores)?.exportLines() ?? [];
        const graph = exportGraph(stores, places.secrets);
        // Each line is scrubbed once more as it is written: stores recorded before their writes were scrubbed.
        writeFileSync(
          options.output,
          [...lines, ...graph.lines].map((line) => `${places.secrets.text(line)}\n`).join(''),
        );
        const failures = lines.filter((line) => (JSON.parse(line) as { type: string }).type === 'failure').length;
        const from =
          stores.length === 0 ? 'nothing recorded yet' : `from ${stores.map((store) => store.path).join(' and ')}`;
        process.stdout.write(
          `Exported ${counts({ failures, fixes: lines.length - failures, ...graph })} (${from}) to ${options.output}.\n`,
        );
        return 0;
      });
    }),
  );
}

/** `memory import file.jsonl`: merges an export into the user store (default) or the workdir's. */
export function registerMemoryImport(memory: Command, outcome: CommandOutcome): void {
  const command = memory
    .command('import')
    .description('merge a file written by `mux-swarm memory export` into a store; importing twice changes nothing')
    .argument('<file>', 'a .jsonl file written by mux-swarm memory export')
    .addOption(
      storeOption(
        'the store to import into: user (lessons from another box then serve every workdir here) or workdir',
        ['workdir', 'user'],
        'user',
      ),
    )
    .option('--json', 'machine-readable output: {store, failures, fixes, entities, relations, merged, skipped}');
  addMemoryOptions(command).action(
    exitWith(outcome, async (file: string, options: StoreOptions) => {
      const [{ describeStore, locateMemory, withStores }, { importGraph, splitExportLines }] = await Promise.all([
        import('./memory-stores.js'),
        import('./memory-graph.js'),
      ]);
      const { failureLines, graphLines } = splitExportLines(readLines(file));
      const places = locateMemory(options);
      return withStores(places, options.store, true, ([target]) => {
        const { failureResult, graphResult } = target!.store.database
          .transaction(() => ({
            failureResult: target!.store.importLines(failureLines, new Date().toISOString()),
            graphResult: importGraph(target!, graphLines, places.secrets),
          }))
          .immediate();
        const result = {
          failures: failureResult.failures,
          fixes: failureResult.fixes,
          entities: graphResult.entities,
          relations: graphResult.relations,
          merged: failureResult.merged + graphResult.merged,
          skipped: [...failureResult.skipped, ...graphResult.skipped].sort((left, right) => left.line - right.line),
        };
        const first = result.skipped[0];
        // An empty export (an empty store) imports nothing and is fine; a file whose every line is bad is not.
        if (first !== undefined && result.failures + result.fixes + result.entities + result.relations === 0) {
          throw new MuxSwarmError(
            'memory_bad_import',
            `${file} line ${first.line}: ${first.problem} (nothing imported)`,
          );
        }
        if (options.json) process.stdout.write(`${JSON.stringify({ store: target!.path, ...result }, null, 2)}\n`);
        else {
          const merged = result.merged > 0 ? ` (${result.merged} already there: merged)` : '';
          process.stdout.write(`Imported ${counts(result)} into ${describeStore(target!)}${merged}.\n`);
          for (const skipped of result.skipped)
            process.stderr.write(`skipped ${file} line ${skipped.line}: ${skipped.problem}\n`);
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
    exitWith(outcome, async (id: string, options: StoreOptions) => {
      const [{ describeStore, locateMemory, withStores }, { forgetEverywhere }] = await Promise.all([
        import('./memory-stores.js'),
        import('../../../failures/failure-memory.js'),
      ]);
      return withStores(locateMemory(options), options.store, false, (stores) => {
        const forgotten = forgetEverywhere(stores, id).map(({ name, result }) => ({
          store: stores.find((store) => store.name === name)!,
          result,
        }));
        if (options.json)
          process.stdout.write(
            `${JSON.stringify(
              forgotten.map(({ store, result }) => ({ store: store.name, path: store.path, result })),
              null,
              2,
            )}\n`,
          );
        else {
          for (const { store, result } of forgotten) {
            const what =
              result.kind === 'failure'
                ? `failure ${result.fingerprint} and its ${plural(result.fixes, 'fix', 'fixes')}`
                : `fix ${result.uid}`;
            process.stdout.write(`Forgot ${what} in ${describeStore(store)}.\n`);
          }
        }
        return 0;
      });
    }),
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

/** "2 failures and 1 fix", with ", 3 entities and 1 relation" when the graph had any. */
function counts(found: { failures: number; fixes: number; entities: number; relations: number }): string {
  const parts = [plural(found.failures, 'failure'), plural(found.fixes, 'fix', 'fixes')];
  if (found.entities + found.relations > 0)
    parts.push(plural(found.entities, 'entity', 'entities'), plural(found.relations, 'relation'));
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import { PACKAGE_VERSION } from '../package-info.js';
import type { ProjectOptions } from '../project.js';

interface ExportOptions extends ProjectOptions {
  output: string;
  exclude: string[];
  cassette?: boolean;
}

/** `mux-swarm export <run> -o run.tar.gz`: a consistent snapshot of a run's workdir, to carry it to another machine. */
export function registerExportCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('export')
    .description(
      "write a run's workdir and a consistent copy of its state database to a .tar.gz, to resume it elsewhere; with --cassette, a replayable recording (docs/replay.md)",
    )
    .argument('<run>', 'run id, a unique prefix of one, or "last"')
    .requiredOption('-o, --output <file>', 'the archive to write, e.g. run.tar.gz (with --cassette: run.jsonl)')
    .option(
      '--cassette',
      'write a portable, secret-scrubbed cassette (JSON Lines) that `mux-swarm replay` replays with no key and no network',
    )
    .option(
      '--exclude <path>',
      'leave out a path relative to the workdir (repeatable), e.g. big checkpoints',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    );
  addProjectOptions(command).action(async (runArgument: string, options: ExportOptions) => {
    if (options.cassette) {
      outcome.exitCode = await exportCassette(runArgument, options);
      return;
    }
    const [{ resolveRunId, withStateDatabase }, { exportRun }] = await Promise.all([
      import('../state-access.js'),
      import('../../state/run-archive/export-run.js'),
    ]);
    const { runId, location } = withStateDatabase(options, (database, stateLocation) => ({
      runId: resolveRunId(database, runArgument),
      location: stateLocation,
    }));
    const exported = await exportRun({
      ...location,
      runId,
      output: options.output,
      muxSwarmVersion: PACKAGE_VERSION,
      exclude: options.exclude,
    });
    process.stdout.write(
      `Exported run ${runId} (${exported.manifest.runStatus}) with ${exported.manifest.files} workdir entries to ${options.output} (${formatBytes(exported.bytes)}).\n`,
    );
    outcome.exitCode = 0;
  });
}

/** `export --cassette`: the run's recording as a cassette file, scrubbed (again, as a whole) before it is written. */
async function exportCassette(runArgument: string, options: ExportOptions): Promise<number> {
  const [{ resolveRunId, withStateDatabase }, { cassetteFromJournal }, { cassetteLines }] = await Promise.all([
    import('../state-access.js'),
    import('../../replay/cassette-from-journal.js'),
    import('../../replay/cassette.js'),
  ]);
  const { cassette, scrubber } = withStateDatabase(options, (database, location) => {
    const runId = resolveRunId(database, runArgument);
    return {
      cassette: cassetteFromJournal(database, runId, {
        workdir: location.workdir,
        stateDirectory: location.stateDirectory,
        scrubber: location.scrubber,
        muxSwarmVersion: PACKAGE_VERSION,
      }),
      scrubber: location.scrubber,
    };
  });
  writeFileSync(options.output, scrubber.text(cassetteLines(cassette)));
  const { run } = cassette.header;
  process.stdout.write(
    `Wrote the cassette of run ${run.id} (${run.status}; ${cassette.modelCalls.length} model calls, ${cassette.toolCalls.length} tool calls) to ${options.output}. Replay it with: mux-swarm replay ${options.output}\n`,
  );
  return 0;
}

/** `mux-swarm import run.tar.gz --workdir <dir>`: restores an export into a new workdir, checking the database. */
export function registerImportCommand(program: Command, outcome: CommandOutcome): void {
  program
    .command('import')
    .description(
      'restore a run exported with `mux-swarm export` into a new, empty workdir (the database is integrity-checked)',
    )
    .argument('<archive>', 'a .tar.gz written by mux-swarm export')
    .requiredOption('-w, --workdir <dir>', 'where to restore the workdir (must not exist, or be empty)')
    .action(async (archive: string, options: { workdir: string }) => {
      const { importRun } = await import('../../state/run-archive/import-run.js');
      const imported = await importRun({ archive, workdir: options.workdir });
      const { manifest } = imported;
      process.stdout.write(
        `Imported run ${manifest.runId} (${manifest.runStatus}, goal "${manifest.goalName}", exported ${manifest.exportedAt} on ${manifest.sourceHostname}) into ${imported.workdir}.\n` +
          `The state database passed SQLite's integrity and foreign-key checks. See it with: mux-swarm show ${manifest.runId} --workdir ${imported.workdir}\n`,
      );
      outcome.exitCode = 0;
    });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

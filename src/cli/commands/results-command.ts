import { Option, type Command } from 'commander';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { ResultsOptions } from './results-view.js';

/** `mux-swarm results [run]`: an experiment loop's history as a table (or JSON), and its metric as an SVG chart. */
export function registerResultsCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('results')
    .description(
      "an experiment loop's history: each iteration's commit, metric, change against the best, kept or discarded, cost and hypothesis; writes an SVG chart of the metric",
    )
    .argument('[run]', 'run id, a unique prefix of one, or "last"; default: the newest run with a results log')
    .option('--json', 'the history as one JSON object on stdout; writes no chart')
    .addOption(
      new Option(
        '--chart <file>',
        "where to write the SVG chart (default: report/metric.svg in the run's directory)",
      ).conflicts('json'),
    );
  addProjectOptions(command).action(async (runArgument: string | undefined, options: ResultsOptions) => {
    // Loaded when the command runs: the view reads the state database (zod, SQLite) that --version never needs.
    const { showResults } = await import('./results-view.js');
    outcome.exitCode = await showResults(runArgument, options);
  });
}

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError } from '../../errors/config-error.js';
import { isMuxSwarmError } from '../../errors/mux-swarm-error.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import { EXIT_CODES, exitCodeForError } from '../../errors/exit-codes.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { ProjectOptions } from '../project.js';
import { shownPath } from '../shown-path.js';

interface ReportOptions extends ProjectOptions {
  output?: string;
  eval: string[];
  json?: boolean;
}

/** Errors that mean the run asked for cannot be found here: bad input, exit 2. */
const NOT_FOUND = new Set<ErrorCode>(['no_state', 'run_not_found', 'run_ambiguous']);

/** `mux-swarm report [run]`: a markdown report of one run, with its training curve as an SVG chart. */
export function registerReportCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('report')
    .description(
      'a markdown report of one run: phases, timeline, training jobs and curve, evaluation, cost, failures and their fixes',
    )
    .argument('[run]', 'run id, a unique prefix of one, or "last" (the newest)', 'last')
    .option(
      '-o, --output <file>',
      'write the markdown to this file, the charts next to it (default: markdown on stdout, charts in the run directory)',
    )
    .addOption(
      new Option('--eval <file>', 'an evaluation.json to show (repeatable)')
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([] as string[], "those found in the run's workdir"),
    )
    .addOption(
      new Option('--json', "the report's data as one JSON object on stdout; writes no files").conflicts('output'),
    );
  addProjectOptions(command).action(async (runArgument: string, options: ReportOptions) => {
    outcome.exitCode = await report(runArgument, options);
  });
}

async function report(runArgument: string, options: ReportOptions): Promise<number> {
  const [
    { resolveRunId, withStateDatabase },
    { loadReportData },
    { findEvaluationFiles, loadEvaluations },
    { checkGoalNow },
    { buildRunReport },
    { renderReportMarkdown },
    { trainingCurveChart },
  ] = await Promise.all([
    import('../state-access.js'),
    import('../report/report-data.js'),
    import('../report/evaluation-files.js'),
    import('../report/report-goal-check.js'),
    import('../report/report-model.js'),
    import('../report/report-markdown.js'),
    import('../report/report-training.js'),
  ]);
  let loaded;
  try {
    loaded = withStateDatabase(options, (database, location) => {
      const runId = resolveRunId(database, runArgument);
      return { data: loadReportData(database, runId), location };
    });
  } catch (error) {
    if (!isMuxSwarmError(error) || !NOT_FOUND.has(error.code)) throw error;
    process.stderr.write(`mux-swarm: ${error.message}\n`);
    return exitCodeForError(error);
  }
  const { data, location } = loaded;
  // The report is scrubbed as it is written: the evaluation files and goal checks it quotes come from the workdir.
  const { scrubber } = location;
  const workdir = data.workdir !== undefined && existsSync(data.workdir) ? data.workdir : location.workdir;
  const evaluationFiles =
    options.eval.length > 0
      ? options.eval.map(evaluationArgument)
      : findEvaluationFiles(workdir, [location.stateDirectory]);
  const goalNow = await checkGoalNow(data, workdir);
  const runReport = buildRunReport(data, loadEvaluations(evaluationFiles, workdir), new Date(), goalNow);
  if (options.json) {
    process.stdout.write(scrubber.text(`${JSON.stringify(runReport, null, 2)}\n`));
    return EXIT_CODES.success;
  }

  const markdownFile = options.output === undefined ? undefined : resolve(options.output);
  // Links are relative to where the markdown is read: its file's directory, or (on stdout) the current directory.
  const markdownDirectory = markdownFile === undefined ? process.cwd() : dirname(markdownFile);
  const chart = trainingCurveChart(runReport.training);
  let chartLink: string | undefined;
  if (chart !== undefined) {
    const chartFile =
      markdownFile === undefined
        ? join(location.stateDirectory, 'runs', data.run.id, 'report', 'training-curve.svg')
        : join(markdownDirectory, `${basename(markdownFile, extname(markdownFile))}.training-curve.svg`);
    writeFile(chartFile, scrubber.text(chart));
    chartLink = relativeLink(markdownDirectory, chartFile);
    process.stderr.write(`Training curve: ${shownPath(chartFile)}\n`);
  }
  const markdown = scrubber.text(renderReportMarkdown(runReport, { trainingCurve: chartLink }));
  if (markdownFile === undefined) process.stdout.write(markdown);
  else {
    writeFile(markdownFile, markdown);
    process.stderr.write(`Report: ${shownPath(markdownFile)}\n`);
  }
  return EXIT_CODES.success;
}

/** An --eval path, which must exist (a file that is not an evaluation is shown as skipped, with why). */
function evaluationArgument(path: string): string {
  if (!existsSync(path)) throw new ConfigError('command line', [{ path: '', message: `--eval ${path}: no such file` }]);
  return resolve(path);
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** `to` relative to `from`, as a markdown link target: forward slashes, each part URI-encoded. */
function relativeLink(from: string, to: string): string {
  return relative(from, to).split(sep).map(encodeURIComponent).join('/');
}

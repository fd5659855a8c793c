import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isMuxSwarmError, MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { formatMetric } from '../../runtime/loop/keep-decision.js';
import { loopStanding, type LoopStanding } from '../../runtime/loop/loop-standing.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import { EXIT_CODES, exitCodeForError } from '../../errors/exit-codes.js';
import type { SqliteDatabase } from '../../state/database.js';
import type { ExperimentResults } from '../../state/experiment-results.js';
import { listRuns } from '../../state/run-queries.js';
import type { ProjectOptions } from '../project.js';
import { loopMetricChart } from '../report/loop-metric-chart.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';
import type { StateLocation } from '../state-access.js';
import { shownPath } from '../shown-path.js';
import { formatTable } from '../table.js';

export interface ResultsOptions extends ProjectOptions {
  json?: boolean;
  chart?: string;
}

/** Errors that mean the run asked for cannot be found here: bad input, exit 2. */
const NOT_FOUND = new Set<ErrorCode>(['no_state', 'run_not_found', 'run_ambiguous', 'no_results']);

/** `mux-swarm results`: finds the run, prints its loop's history (or JSON) and writes the chart. */
export async function showResults(runArgument: string | undefined, options: ResultsOptions): Promise<number> {
  const [{ resolveRunId, withStateDatabase }, { readExperimentResults, resultsLogPath }] = await Promise.all([
    import('../state-access.js'),
    import('../../state/experiment-results.js'),
  ]);
  let found: { runId: string; runDirectory: string; scrubber: SecretScrubber };
  try {
    found = withStateDatabase(options, (database, location) => {
      const runId =
        runArgument === undefined
          ? newestRunWithResults(database, location, resultsLogPath)
          : resolveRunId(database, runArgument);
      const runDirectory = join(location.stateDirectory, 'runs', runId);
      if (!existsSync(resultsLogPath(runDirectory)))
        throw new MuxSwarmError(
          'no_results',
          `run ${runId} has no results log (${resultsLogPath(runDirectory)}): only a goal with loop: front matter writes one`,
        );
      return { runId, runDirectory, scrubber: location.scrubber };
    });
  } catch (error) {
    if (!isMuxSwarmError(error) || !NOT_FOUND.has(error.code)) throw error;
    process.stderr.write(`mux-swarm: ${error.message}\n`);
    return exitCodeForError(error);
  }
  const results = readExperimentResults(resultsLogPath(found.runDirectory));
  const standing = loopStanding(results, results.start?.margin ?? undefined);
  if (options.json) {
    process.stdout.write(
      found.scrubber.text(`${JSON.stringify(resultsJson(found.runId, results, standing), null, 2)}\n`),
    );
    return EXIT_CODES.success;
  }
  process.stdout.write(found.scrubber.text(`${resultsText(found.runId, results, standing)}\n`));
  if (results.baselines.length + results.experiments.length > 0) {
    const chartFile =
      options.chart === undefined ? join(found.runDirectory, 'report', 'metric.svg') : resolve(options.chart);
    mkdirSync(dirname(chartFile), { recursive: true });
    writeFileSync(chartFile, found.scrubber.text(loopMetricChart(results, standing)));
    process.stderr.write(`Metric chart: ${shownPath(chartFile)}\n`);
  }
  return EXIT_CODES.success;
}

/** The newest run of the workdir whose directory holds a results log. */
function newestRunWithResults(
  database: SqliteDatabase,
  location: StateLocation,
  resultsLogPath: (runDirectory: string) => string,
): string {
  const run = listRuns(database, Number.MAX_SAFE_INTEGER).find((candidate) =>
    existsSync(resultsLogPath(join(location.stateDirectory, 'runs', candidate.id))),
  );
  if (!run)
    throw new MuxSwarmError(
      'no_results',
      'no run in this workdir has a results log: only a goal with loop: front matter writes one (see docs/loop.md)',
    );
  return run.id;
}

function resultsText(runId: string, results: ExperimentResults, standing: LoopStanding): string {
  const start = results.start;
  const metric = start ? `${start.metric.name} (${start.metric.direction} is better)` : 'the metric';
  const lines = [`Run ${runId}: ${metric}${start?.command ? `, measured by \`${start.command}\`` : ''}`];
  if (standing.baseline) {
    const { mean, noise, readings } = standing.baseline;
    lines.push(
      `Baseline ${formatMetric(mean)} (${readings} run${readings === 1 ? '' : 's'}, noise ${formatMetric(noise)}); kept only when better by more than ${formatMetric(standing.margin)}${start?.margin === null ? ' (the noise)' : ''}.`,
    );
  }
  lines.push('');
  const rows = [
    ...results.baselines.map((line) => [
      `0 (${line.repeat}/${start?.baselineRepeats ?? results.baselines.length})`,
      line.commit.slice(0, 7),
      metricCell(line.metric),
      '—',
      line.problem ? `baseline: ${clip(line.problem, 60)}` : 'baseline',
      '—',
      '—',
    ]),
    ...results.experiments.map((line, index) => {
      const before = standing.bestBefore[index];
      const delta =
        line.metric === null || before === null || before === undefined
          ? '—'
          : formatMetric(line.metric - before, { signed: true });
      return [
        String(line.iteration),
        line.commit?.slice(0, 7) ?? '—',
        metricCell(line.metric),
        delta,
        `${line.decision}: ${clip(line.reason, 60)}`,
        `$${line.costUsd.toFixed(4)}`,
        clip(line.hypothesis, 80),
      ];
    }),
  ];
  lines.push(
    rows.length === 0
      ? 'No measurement yet.'
      : formatTable(['iteration', 'commit', 'metric', 'Δ best', 'decision', 'cost', 'hypothesis'], rows),
  );
  lines.push('');
  const counts = `${standing.experiments} experiment${standing.experiments === 1 ? '' : 's'}: ${standing.kept} kept, ${standing.experiments - standing.kept} discarded; $${standing.costUsd.toFixed(4)}.`;
  const best = standing.best
    ? ` Best ${formatMetric(standing.best.metric)} at commit ${standing.best.commit.slice(0, 7)} (${standing.best.iteration === 0 ? 'the baseline' : `iteration ${standing.best.iteration}`}).`
    : '';
  lines.push(`${counts}${best}`);
  if (results.tornTail) lines.push('The last line of the log was cut off by a crash; it is not counted.');
  return lines.join('\n');
}

function resultsJson(runId: string, results: ExperimentResults, standing: LoopStanding): unknown {
  return {
    schemaVersion: 1,
    run: runId,
    metric: results.start?.metric ?? null,
    command: results.start?.command ?? null,
    baseline: standing.baseline ?? null,
    margin: standing.margin,
    best: standing.best ?? null,
    baselines: results.baselines.map(({ schemaVersion: _version, kind: _kind, ...line }) => line),
    experiments: results.experiments.map(({ schemaVersion: _version, kind: _kind, ...line }, index) => {
      const before = standing.bestBefore[index] ?? null;
      return {
        ...line,
        bestBefore: before,
        delta: line.metric === null || before === null ? null : line.metric - before,
      };
    }),
    costUsd: standing.costUsd,
    tornTail: results.tornTail,
  };
}

function metricCell(metric: number | null): string {
  return metric === null ? '—' : formatMetric(metric);
}

function clip(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

import { isAbsolute, relative } from 'node:path';
import { measurementRepeats, type GoalLoop } from '../../config/goal-loop.js';
import { describeError, MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { RUNTIME_AGENT, type ResultSubtype } from '../../events/event-schema.js';
import {
  appendExperimentResult,
  readExperimentResults,
  type ExperimentResults,
} from '../../state/experiment-results.js';
import { prepareRecoveryReport, type RecoveryReport } from '../recovery/recovery-report.js';
import type { RunContext } from '../run-context.js';
import { subtypeForStop } from '../run-result.js';
import { RunStoppedError } from '../../errors/run-stopped-error.js';
import { finishCutOffRevert, runExperimentIteration } from './experiment-iteration.js';
import { formatMetric } from './keep-decision.js';
import { proposalsOf } from './iteration-task.js';
import { openLoopContext, type LoopContext } from './loop-context.js';
import { loopStanding, type LoopStanding } from './loop-standing.js';
import { loopStopFor } from './loop-stop.js';
import { measureMetric } from './measure-metric.js';
import { openSharedLoop } from './shared-loop.js';

/** Phase 0 as the run driver did it for this start. */
export interface LoopStart {
  report: RecoveryReport;
  session: number;
}

/** How the loop ended, as the run driver reports it. */
export interface LoopEnding {
  subtype: ResultSubtype;
  result: string;
  artifacts: string[];
}

/**
 * Works a goal with `loop:` as a self-improvement loop: the workdir becomes (or is) a git repository, the baseline
 * is measured `baselineRepeats` times (its spread is the noise), then each iteration asks the orchestrator for one
 * change, measures it and keeps or reverts it, until a stop condition holds. Everything the loop decides is in the
 * results log, which is also where a resumed loop learns how far it got.
 */
export async function runExperimentLoop(run: RunContext, start: LoopStart): Promise<LoopEnding> {
  const { goal, mode } = run.dependencies;
  const loop = goal.frontMatter.loop;
  if (loop === undefined) throw new MuxSwarmError('loop_missing', `${goal.label} has no loop: front matter`);
  if (mode !== 'hierarchical') {
    throw new MuxSwarmError(
      'loop_needs_orchestrator',
      `${goal.label}: loop: runs in hierarchical mode (the orchestrator proposes each experiment); remove mode: flat / --flat`,
    );
  }
  const context = await openLoopContext(run, loop);
  // Sharing with other nodes (run --hub / --remote): opened once the workdir is a repository, closed however the loop ends.
  const exchange = await openSharedLoop(context);
  try {
    let results = await prepareBaseline(context);
    let report = start.report;
    for (let first = true; ; first = false) {
      if (exchange) results = await exchange.betweenIterations(results);
      const standing = loopStanding(results, loop.margin);
      const stop = loopStopFor(loop, standing);
      if (stop)
        return {
          subtype: 'success',
          result: `Experiment loop stopped: ${stop.text}. ${summary(context, standing)}`,
          artifacts: [resultsArtifact(context)],
        };
      if (!first) report = await prepareRecoveryReport(run, { session: start.session, resumed: false });
      const iteration = (results.experiments.at(-1)?.iteration ?? 0) + 1;
      const base = exchange ? await context.git.head() : undefined;
      const suggestion = exchange ? await exchange.takeSuggestion() : undefined;
      let summaryText: string;
      try {
        ({ summary: summaryText } = await runExperimentIteration(context, {
          iteration,
          results,
          standing,
          report,
          session: start.session,
          sharing: exchange !== undefined,
          ...(suggestion ? { suggestion } : {}),
        }));
      } catch (error) {
        if (suggestion && exchange) await exchange.finishSuggestion(suggestion, undefined, describeError(error));
        throw error;
      }
      results = readExperimentResults(context.resultsPath);
      const line = results.experiments.at(-1);
      if (exchange && base && line?.iteration === iteration) {
        await exchange.afterIteration(line, base);
        if (suggestion) await exchange.finishSuggestion(suggestion, line);
        await exchange.propose(proposalsOf(summaryText), (await context.git.head()) ?? base);
      }
    }
  } catch (error) {
    const stopped = error instanceof RunStoppedError ? error : run.stopError;
    if (!stopped) throw error;
    const standing = loopStanding(readExperimentResults(context.resultsPath), loop.margin);
    return {
      subtype: subtypeForStop(stopped.reason),
      result: `Stopped: ${stopped.message}. ${summary(context, standing)}`,
      artifacts: [resultsArtifact(context)],
    };
  } finally {
    await exchange?.close();
  }
}

/**
 * The first start writes the log's first line (after committing changes left uncommitted, so that HEAD is the
 * baseline); every start finishes a revert a crash cut off and takes the baseline measurements still missing.
 */
async function prepareBaseline(context: LoopContext): Promise<ExperimentResults> {
  const { run, loop, git, excluded, resultsPath } = context;
  let results = readExperimentResults(resultsPath);
  if (results.start === undefined) {
    const changes = await git.changes(excluded);
    if (changes.tracked.length + changes.untracked.length > 0) {
      const commit = await git.commitChanges('mux-swarm: uncommitted changes before the experiment loop', excluded);
      run.events.emit({
        type: 'system',
        subtype: 'warning',
        agent: RUNTIME_AGENT,
        message: `the workdir had uncommitted changes: the experiment loop committed them as its baseline (commit ${commit.slice(0, 7)})`,
      });
    }
    appendExperimentResult(resultsPath, startLine(loop, (await git.head())!, run.isoNow()));
    results = readExperimentResults(resultsPath);
  }
  await finishCutOffRevert(context, results);
  const repeats = measurementRepeats(loop);
  for (let repeat = results.baselines.length + 1; repeat <= repeats; repeat += 1) {
    run.throwIfStopped();
    const startedAt = run.isoNow();
    const measurement = await measureMetric(context, `baseline-${repeat}`);
    appendExperimentResult(resultsPath, {
      kind: 'baseline',
      iteration: 0,
      repeat,
      commit: results.start!.baseCommit,
      metric: measurement.metric,
      ...(measurement.problem === undefined ? {} : { problem: measurement.problem }),
      durationMs: measurement.durationMs,
      startedAt,
      endedAt: run.isoNow(),
    });
  }
  return readExperimentResults(resultsPath);
}

function startLine(loop: GoalLoop, baseCommit: string, startedAt: string) {
  return {
    kind: 'loop' as const,
    metric: { name: loop.metric.name, direction: loop.metric.direction },
    baselineRepeats: measurementRepeats(loop),
    margin: loop.margin ?? null,
    command: loop.command ?? null,
    baseCommit,
    startedAt,
  };
}

/** The loop in two sentences: how many experiments, and the best metric with its commit. */
function summary(context: LoopContext, standing: LoopStanding): string {
  const { loop, run } = context;
  const counts = `${standing.experiments} experiment${standing.experiments === 1 ? '' : 's'}: ${standing.kept} kept, ${standing.experiments - standing.kept} discarded.`;
  const best = standing.best
    ? `Best ${loop.metric.name} ${formatMetric(standing.best.metric)} (${standing.best.iteration === 0 ? 'the baseline' : `iteration ${standing.best.iteration}`}) at commit ${standing.best.commit.slice(0, 7)}.`
    : `No ${loop.metric.name} could be read.`;
  return `${counts} ${best} Results: ${resultsArtifact(context)} (\`mux-swarm results ${run.runId}\`).`;
}

/** The results log's path for the result event: relative to the workdir when it lies inside. */
function resultsArtifact(context: LoopContext): string {
  const path = relative(context.run.dependencies.workdir, context.resultsPath);
  return path.startsWith('..') || isAbsolute(path) ? context.resultsPath : path;
}

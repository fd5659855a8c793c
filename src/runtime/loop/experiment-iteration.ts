import { RUNTIME_AGENT } from '../../events/event-schema.js';
import { appendExperimentResult, type ExperimentResults } from '../../state/experiment-results.js';
import { runDelegation, type DelegationOutcome } from '../delegation.js';
import { restartMessage, taskWithRecoveryReport } from '../recovery/recovery-messages.js';
import type { RecoveryReport } from '../recovery/recovery-report.js';
import { clipText, oneLine } from '../recovery/report-text.js';
import { hypothesisOf, iterationTask } from './iteration-task.js';
import { decideKeep, type KeepDecision } from './keep-decision.js';
import type { LoopContext } from './loop-context.js';
import type { LoopStanding } from './loop-standing.js';
import { measureMetric } from './measure-metric.js';

/** An iteration's delegation id: stable across restarts, so a crash mid-iteration resumes that iteration. */
export function iterationDelegationId(iteration: number): string {
  return `i${iteration}`;
}

export interface IterationOptions {
  iteration: number;
  results: ExperimentResults;
  standing: LoopStanding;
  /** Phase 0's report of this start of the iteration. */
  report: RecoveryReport;
  session: number;
  /** Shared with other nodes: the orchestrator may propose more changes (`Also try:`). */
  sharing?: boolean;
  /** A change another node proposed, to make in this iteration. */
  suggestion?: { hypothesis: string; from: string };
}

/**
 * One experiment: the orchestrator makes one change (delegation `i<n>`), mux-swarm commits it, measures it, decides,
 * appends the result line (fsynced), and reverts a discarded change. The line comes before the revert, and each
 * step can tell from git whether it already happened, so a crash anywhere resumes without redoing finished work.
 */
export async function runExperimentIteration(
  context: LoopContext,
  options: IterationOptions,
): Promise<{ summary: string }> {
  const { run, loop, git } = context;
  const { iteration, results, standing, report } = options;
  const { goal, orchestrator } = run.dependencies;
  const delegationId = iterationDelegationId(iteration);
  const task = iterationTask({
    iteration,
    goalName: goal.name,
    goalText: goal.text,
    loop,
    standing,
    results,
    ...(options.sharing ? { sharing: true } : {}),
    ...(options.suggestion ? { suggestion: options.suggestion } : {}),
  });
  const loopReport = forTheLoop(report);
  const outcome = await runDelegation(run, {
    id: delegationId,
    agent: orchestrator,
    task: taskWithRecoveryReport(loopReport, task),
    from: RUNTIME_AGENT,
    parentDelegationId: null,
    depth: 0,
    scope: 'task',
    // An experiment that breaks the goal's checks (its setup) is not a success, whatever its metric would say.
    checksGoal: true,
    resumeMessage: restartMessage(loopReport, options.session),
  });
  const hypothesis = hypothesisOf(outcome.summary);
  const commit = await commitExperiment(context, iteration, hypothesis);
  const { metric, verdict } = await judgeExperiment(context, { iteration, outcome, commit, standing });

  const startedAt = startOf(context, delegationId, outcome);
  const endedAt = run.isoNow();
  appendExperimentResult(context.resultsPath, {
    kind: 'experiment',
    iteration,
    commit,
    metric,
    decision: verdict.decision,
    reason: verdict.reason,
    hypothesis,
    costUsd: outcome.costUsd,
    durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
    startedAt,
    endedAt,
  });
  if (verdict.decision === 'discarded' && commit !== null)
    await git.revert(commit, `mux-swarm: discard experiment ${iteration} (${clipText(oneLine(verdict.reason), 120)})`);
  return { summary: outcome.summary };
}

/**
 * Commits the iteration's changes (null when there are none). Already committed when a crash came between the
 * commit and the result line: the trailer says whose the commit is, and it is not made twice.
 */
async function commitExperiment(context: LoopContext, iteration: number, hypothesis: string): Promise<string | null> {
  const { git, excluded, run } = context;
  const trailer = `Mux-Swarm-Experiment: ${run.runId}/${iteration}`;
  if ((await git.headMessage()).split('\n').includes(trailer)) return (await git.head())!;
  const changes = await git.changes(excluded);
  if (changes.tracked.length + changes.untracked.length === 0) return null;
  return git.commitChanges(`mux-swarm experiment ${iteration}: ${hypothesis}\n\n${trailer}`, excluded);
}

/** Measures a committed change the orchestrator completed, and decides; anything else is discarded unmeasured. */
async function judgeExperiment(
  context: LoopContext,
  {
    iteration,
    outcome,
    commit,
    standing,
  }: { iteration: number; outcome: DelegationOutcome; commit: string | null; standing: LoopStanding },
): Promise<{ metric: number | null; verdict: KeepDecision }> {
  const discarded = (reason: string) => ({ metric: null, verdict: { decision: 'discarded' as const, reason } });
  const summary = clipText(oneLine(outcome.summary), 200);
  if (outcome.stopReason !== 'completed')
    return discarded(`the iteration stopped without completing (${outcome.stopReason}): ${summary}`);
  if (outcome.status !== 'success') return discarded(`the orchestrator reported ${outcome.status}: ${summary}`);
  if (commit === null) return discarded('no change: the orchestrator changed no file');
  const { loop } = context;
  const outside = loop.paths ? await filesOutside(context, commit, loop.paths) : [];
  if (outside.length > 0)
    return discarded(
      `changed ${outside
        .slice(0, 10)
        .map((path) => `\`${path}\``)
        .join(', ')}${outside.length > 10 ? ', …' : ''}, outside loop.paths`,
    );
  const measurement = await measureMetric(context, `iteration-${iteration}`);
  if (measurement.metric === null) return discarded(`the metric could not be read: ${measurement.problem}`);
  return {
    metric: measurement.metric,
    verdict: decideKeep(measurement.metric, standing.best?.metric, standing.margin, loop.metric.direction),
  };
}

/**
 * A discarded experiment whose revert a crash cut off (its result line written, HEAD still its commit) is reverted
 * now, before anything else: the next iteration must start from the best version.
 */
export async function finishCutOffRevert(context: LoopContext, results: ExperimentResults): Promise<void> {
  const last = results.experiments.at(-1);
  if (last?.decision !== 'discarded' || last.commit === null) return;
  if ((await context.git.head()) === last.commit)
    await context.git.revert(
      last.commit,
      `mux-swarm: discard experiment ${last.iteration} (${clipText(oneLine(last.reason), 120)})`,
    );
}

/** A report of a goal whose phases are all done says the run ends: in a loop it does not. */
function forTheLoop(report: RecoveryReport): RecoveryReport {
  if (!report.goalComplete) return report;
  return {
    ...report,
    text: `${report.text.trimEnd()}\n\nThis goal runs as an experiment loop: every phase being done does not end it; its stop conditions are in \`loop:\`.\n`,
  };
}

async function filesOutside(context: LoopContext, commit: string, patterns: readonly string[]): Promise<string[]> {
  const allowed = new Set(await context.git.filesChangedBy(commit, patterns));
  return (await context.git.filesChangedBy(commit)).filter((path) => !allowed.has(path));
}

/** When the iteration began: its delegation's recorded start (the first session's, after a restart). */
function startOf(context: LoopContext, delegationId: string, outcome: DelegationOutcome): string {
  const recorded = context.run.store.journal.delegation(context.run.runId, delegationId)?.started_at;
  return recorded ?? new Date(context.run.now() - outcome.durationMs).toISOString();
}

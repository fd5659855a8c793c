import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { RUNTIME_AGENT } from '../../events/event-schema.js';
import { evaluateGoalPhases, type GoalEvaluation } from '../phases/evaluate-phase-conditions.js';
import { phaseEntries } from '../phases/phase-standing.js';
import type { RunContext } from '../run-context.js';
import { formatRecoveryReport } from './format-recovery-report.js';
import { readJournalRecovery } from './journal-recovery.js';
import { findRelevantMemory } from './relevant-memory.js';
import { FailureSteps } from '../../state/failure-steps.js';

/** The newest report of a run, rewritten at every start; each session's own copy is `recovery-report-<session>.md`. */
export const RECOVERY_REPORT_FILE = 'recovery-report.md';

export interface RecoveryReport {
  /** The report, markdown. */
  text: string;
  /** Absolute path of `<runDirectory>/recovery-report.md`. */
  path: string;
  evaluation: GoalEvaluation;
  /** Every phase has checks and every check holds: there is nothing left to do. */
  goalComplete: boolean;
  /** Whether it tells the agents anything: phases with checks, a journal to resume, remembered facts. */
  informative: boolean;
}

/**
 * Phase 0 of every start: checks every phase's "Done when" conditions in the workdir, reads the journal (when
 * the run is resumed) and the memory graph (the workdir's and the user store's), writes the recovery report to
 * the run directory, and announces it with a `phase-report` event. Stopping the run meanwhile (Ctrl-C, time
 * limit) cancels the checks and throws.
 */
export async function prepareRecoveryReport(
  run: RunContext,
  options: { session: number; resumed: boolean },
): Promise<RecoveryReport> {
  const { goal, workdir, runDirectory } = run.dependencies;
  const evaluation = await evaluateGoalPhases(goal.phases, { workdir, signal: run.signal });
  run.throwIfStopped();
  const goalComplete = isGoalComplete(evaluation);
  const journal = options.resumed ? readJournalRecovery(run.store.journal, run.runId) : undefined;
  const memory = goalComplete
    ? { entities: [] }
    : findRelevantMemory(run.store.database, goal.name, evaluation, run.dependencies.userMemoryGraph);
  const openFailures = options.resumed ? new FailureSteps(run.store.database).openInRun(run.runId) : [];
  // The checks' output comes from the workdir: the report (a file, and the orchestrator's first message) is scrubbed.
  const scrubber = run.dependencies.scrubber;
  const formatted = formatRecoveryReport({
    goal: { name: goal.name, label: goal.label },
    runId: run.runId,
    session: options.session,
    resumed: options.resumed,
    checkedAt: run.isoNow(),
    evaluation,
    goalComplete,
    ...(journal ? { journal } : {}),
    memory,
    openFailures,
  });
  const text = scrubber === undefined ? formatted : scrubber.text(formatted);
  const path = writeReport(runDirectory, options.session, text);
  run.events.emit({
    type: 'phase-report',
    agent: RUNTIME_AGENT,
    phases: phaseEntries(evaluation),
    goal_complete: goalComplete,
    report_path: workdirRelative(workdir, path),
  });
  const journaled =
    journal !== undefined && journal.finished.length + journal.inFlight.length + journal.cutOff.length > 0;
  const informative =
    evaluation.phases.some((phase) => phase.conditions.length > 0) ||
    journaled ||
    memory.entities.length > 0 ||
    'problem' in memory ||
    openFailures.length > 0;
  return { text, path, evaluation, goalComplete, informative };
}

/** A goal is complete by its checks when every phase has some and all hold; an unchecked phase may still be work to do. */
export function isGoalComplete(evaluation: GoalEvaluation): boolean {
  return evaluation.phases.length > 0 && evaluation.phases.every((phase) => phase.state === 'done');
}

/** Written whole or not at all (temporary file, then rename): a reader never sees half a report. */
function writeReport(runDirectory: string, session: number, text: string): string {
  mkdirSync(runDirectory, { recursive: true });
  const latest = join(runDirectory, RECOVERY_REPORT_FILE);
  for (const file of [join(runDirectory, `recovery-report-${session}.md`), latest]) {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  return latest;
}

/** Paths in events are relative to the workdir, unless the run directory lies elsewhere. */
function workdirRelative(workdir: string, path: string): string {
  const relativePath = relative(workdir, path);
  return relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
}

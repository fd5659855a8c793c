import { z } from 'zod';
import type { StepChange } from '../../state/failure-steps.js';
import type { RunFailureStepRow } from '../../state/run-failure-steps.js';
import { diffStat, lineCounts, type FileDiffStat } from './diff-stat.js';
import { endedInFailure, endingText, jobEnding, type JobEnding } from './job-ending.js';
import { launchView, renderLaunch, type LaunchView } from './launch-view.js';
import { brief, briefText, code, escapeMarkdown, markdownTable, none } from './markdown-format.js';
import { parseJson, type ReportData } from './report-data.js';
import { jobLabel } from './report-training.js';

/**
 * What became of a failure, as failure memory judged the step's next launch: `fixed` (the change got past the error),
 * `not_fixed` (the same error came back after the change), `retry_passed` / `retry_failed` (run again with no change),
 * `superseded` (the step failed again before a relaunch was seen), `pending` (relaunched, not judged yet: it still runs,
 * or the run ended first), `unresolved` (never launched again).
 */
export type FailureVerdict =
  'fixed' | 'not_fixed' | 'retry_passed' | 'retry_failed' | 'superseded' | 'pending' | 'unresolved';

const VERDICTS: Record<string, FailureVerdict> = {
  worked: 'fixed',
  failed: 'not_fixed',
  retry_worked: 'retry_passed',
  retry_failed: 'retry_failed',
  superseded: 'superseded',
};

/** What the agents changed between a failure and the relaunch, as failure memory saw it in the workdir. */
export interface StepChangeView {
  files: string[];
  /** Lines added and removed per file, from the diff. */
  stat: FileDiffStat[];
  diff: string | null;
}

/** One failure of a step of the run, as failure memory recorded it, with the launch that failed, the change and the relaunch. */
export interface StepFailure {
  /** The step as failure memory keys it: `job:<command>` for a background job, `<tool>:<command>` for a call. */
  step: string;
  fingerprint: string;
  /** The failure's type and (normalised) message, as failure memory keeps them; null when it is no longer stored. */
  error: { type: string; message: string } | null;
  agent: string | null;
  delegationId: string | null;
  failedAt: string;
  /** The launch that failed; null for a step recorded before mux-swarm kept it. */
  failedLaunch: LaunchView | null;
  /** The change made before the relaunch; null while not relaunched. */
  change: StepChangeView | null;
  /** The relaunch: the job it started, else the call that made it; null while not relaunched. */
  relaunch: LaunchView | null;
  /** The journal id of the call that relaunched the step. */
  relaunchCall: string | null;
  relaunchedAt: string | null;
  /** failure_steps.outcome as stored: worked, failed, retry_worked, retry_failed, superseded, or null. */
  outcome: string | null;
  verdict: FailureVerdict;
  resolvedAt: string | null;
  /** The fix failure memory recorded from this change (how often it has worked and failed in all runs so far). */
  fix: { uid: string; description: string; explanation: string | null; worked: number; failed: number } | null;
}

/** A training job that ended in failure that failure memory recorded nothing about (it judged no step by it). */
export interface UnrecordedJobFailure {
  jobId: string;
  name: string | null;
  ending: JobEnding;
}

/** Failed calls of one tool with the same first line of error. */
export interface ToolFailureGroup {
  tool: string;
  error: string;
  count: number;
  /** A call of the same tool succeeded after the last of these failures. */
  laterSucceeded: boolean;
}

export interface FailureSection {
  /** Every failure failure memory recorded in the run, in order. */
  steps: StepFailure[];
  unrecordedJobs: UnrecordedJobFailure[];
  /** Failed tool calls that are no step's failed launch (those are in `steps`). */
  toolCalls: ToolFailureGroup[];
}

const storedChangeSchema = z.object({ files: z.array(z.string()), diff: z.string().nullable() });

/** A failed step's recorded change (`failure_steps.change_json`); null when there is none, or it does not parse. */
export function recordedChange(changeJson: string | null): StepChange | null {
  const stored = storedChangeSchema.safeParse(parseJson(changeJson ?? ''));
  return stored.success ? stored.data : null;
}

export function failureSection(data: ReportData): FailureSection {
  const steps = data.failureSteps.map((row) => stepFailure(row, data));
  const failedLaunches = new Set(
    data.failureSteps.flatMap((row) => (row.failed_launch === null ? [] : [row.failed_launch])),
  );
  const unrecordedJobs = data.trainingJobs.flatMap((job) => {
    const ending = jobEnding(job, data.events);
    return endedInFailure(ending) && !failedLaunches.has(`training:${job.job_id}`)
      ? [{ jobId: job.job_id, name: job.name, ending }]
      : [];
  });
  return { steps, unrecordedJobs, toolCalls: toolFailures(data, failedLaunches) };
}

function stepFailure(row: RunFailureStepRow, data: ReportData): StepFailure {
  const relaunchRef = row.relaunch_job ?? row.relaunch_call;
  const stored = recordedChange(row.change_json);
  const change =
    stored === null
      ? null
      : { files: stored.files, stat: stored.diff === null ? [] : diffStat(stored.diff), diff: stored.diff };
  return {
    step: row.step_key,
    fingerprint: row.fingerprint,
    error: row.failure_type === null ? null : { type: row.failure_type, message: row.failure_message ?? '' },
    agent: row.agent,
    delegationId: row.delegation_id,
    failedAt: row.failed_at,
    failedLaunch: row.failed_launch === null ? null : launchView(row.failed_launch, data),
    change,
    relaunch: relaunchRef === null ? null : launchView(relaunchRef, data),
    relaunchCall: row.relaunch_call,
    relaunchedAt: row.relaunched_at,
    outcome: row.outcome,
    verdict:
      (row.outcome === null ? undefined : VERDICTS[row.outcome]) ??
      (row.relaunched_at === null ? 'unresolved' : 'pending'),
    resolvedAt: row.resolved_at,
    fix:
      row.fix_uid === null || row.fix_description === null
        ? null
        : {
            uid: row.fix_uid,
            description: row.fix_description,
            explanation: row.fix_explanation,
            worked: row.fix_worked ?? 0,
            failed: row.fix_failed ?? 0,
          },
  };
}

function toolFailures(data: ReportData, failedLaunches: ReadonlySet<string>): ToolFailureGroup[] {
  const groups = new Map<string, ToolFailureGroup & { lastIndex: number }>();
  data.toolCalls.forEach((call, index) => {
    if (call.is_error !== 1 || failedLaunches.has(call.id)) return;
    const error = brief(call.result_text ?? '(no error text recorded)', 160);
    const key = `${call.name}\n${error}`;
    const group = groups.get(key) ?? { tool: call.name, error, count: 0, laterSucceeded: false, lastIndex: index };
    groups.set(key, { ...group, count: group.count + 1, lastIndex: index });
  });
  return [...groups.values()].map(({ lastIndex, ...group }) => ({
    ...group,
    laterSucceeded: data.toolCalls.slice(lastIndex + 1).some((call) => call.name === group.tool && call.is_error === 0),
  }));
}

export function renderFailures(section: FailureSection, offsetOf: (iso: string) => string): string[] {
  if (section.steps.length === 0 && section.unrecordedJobs.length === 0 && section.toolCalls.length === 0) {
    return none('no training job failed and no tool call returned an error');
  }
  return [
    ...(section.steps.length === 0
      ? ['Failure memory recorded no failed launch in this run.']
      : [tally(section.steps), '', ...section.steps.flatMap((step) => renderStep(step, offsetOf))]),
    ...(section.unrecordedJobs.length === 0
      ? []
      : [
          '',
          '### Training jobs failure memory did not judge',
          '',
          ...section.unrecordedJobs.flatMap((failure) => renderUnrecordedJob(failure, offsetOf)),
        ]),
    '',
    '### Other tool errors',
    '',
    ...(section.toolCalls.length === 0
      ? ['No other tool call returned an error.']
      : markdownTable(
          ['Tool', 'Error', 'Failures', 'Later succeeded'],
          section.toolCalls.map((group) => [
            escapeMarkdown(group.tool),
            escapeMarkdown(group.error),
            String(group.count),
            group.laterSucceeded ? 'yes' : '**no: unresolved**',
          ]),
          ['left', 'left', 'right', 'left'],
        )),
  ];
}

const VERDICT_WORDS: Record<FailureVerdict, string> = {
  fixed: 'fixed',
  not_fixed: 'not fixed by the change',
  retry_passed: 'passed when run again unchanged',
  retry_failed: 'failed again when run again unchanged',
  superseded: 'superseded',
  pending: 'relaunched, not judged yet',
  unresolved: 'unresolved',
};

/** `Failure memory recorded 3 failures in this run: 2 fixed, 1 unresolved.` */
function tally(steps: readonly StepFailure[]): string {
  const counts = new Map<FailureVerdict, number>();
  for (const step of steps) counts.set(step.verdict, (counts.get(step.verdict) ?? 0) + 1);
  const parts = [...counts].map(([verdict, count]) => `${count} ${VERDICT_WORDS[verdict]}`);
  return `Failure memory recorded ${steps.length} ${steps.length === 1 ? 'failure' : 'failures'} in this run: ${parts.join(', ')}.`;
}

/** The files of a change with their line counts: `` `train.py` +1 −1 ``. */
function changeStat(change: StepChangeView): string {
  return change.files
    .map((file) => {
      const stat = change.stat.filter((entry) => entry.file === file);
      const counts =
        stat.length === 0
          ? ''
          : ` ${lineCounts(
              stat.reduce((sum, entry) => sum + entry.added, 0),
              stat.reduce((sum, entry) => sum + entry.removed, 0),
            )}`;
      return `${code(file)}${counts}`;
    })
    .join(', ');
}

function renderStep(step: StepFailure, offsetOf: (iso: string) => string): string[] {
  const error =
    step.error === null
      ? `failure ${code(step.fingerprint.slice(0, 12))}`
      : `**${escapeMarkdown(step.error.type)}**: ${briefText(step.error.message, 300)}`;
  const who = step.agent === null ? '' : `, ${escapeMarkdown(step.agent)}`;
  const relaunch =
    step.relaunch === null
      ? ''
      : `${renderLaunch(step.relaunch, offsetOf)}${step.relaunch.kind !== 'tool-call' && step.relaunchCall !== null ? ` (started by call ${code(step.relaunchCall)})` : ''}`;
  const changed =
    step.change === null || step.change.files.length === 0
      ? 'no change (run again as it was)'
      : changeStat(step.change);
  const lines = [
    `- ${error} — step ${code(step.step)}${who}, at ${offsetOf(step.failedAt)}`,
    `  - Failed: ${step.failedLaunch === null ? 'the launch was not recorded' : renderLaunch(step.failedLaunch, offsetOf)}`,
  ];
  switch (step.verdict) {
    case 'fixed':
      lines.push(`  - Fixed by: ${changed}${fixNote(step)}`, ...explanation(step), `  - Got past it: ${relaunch}`);
      break;
    case 'not_fixed':
      lines.push(
        `  - Change: ${changed}${fixNote(step)}`,
        ...explanation(step),
        `  - **Not fixed**: the same error came back after the change, in ${relaunch}`,
      );
      break;
    case 'retry_passed':
      lines.push(`  - Passed when run again unchanged (possibly transient): ${relaunch}`);
      break;
    case 'retry_failed':
      lines.push(`  - Failed again when run again unchanged: ${relaunch}`);
      break;
    case 'superseded':
      lines.push(
        '  - Superseded: the step failed again before failure memory saw it launched again (see its next failure).',
      );
      break;
    case 'pending':
      lines.push(
        `  - Change: ${changed}`,
        `  - Relaunched: ${relaunch}; not judged yet (still running, or the run ended first).`,
      );
      break;
    case 'unresolved':
      lines.push('  - **Unresolved**: the step was not launched again after this failure.');
      break;
  }
  return lines;
}

function fixNote(step: StepFailure): string {
  if (step.fix === null) return '';
  return ` (failure memory's fix ${code(step.fix.uid.slice(0, 12))}: worked ${step.fix.worked}, failed ${step.fix.failed} in all runs)`;
}

function explanation(step: StepFailure): string[] {
  return step.fix?.explanation ? [`  - The agent said: ${briefText(step.fix.explanation, 400)}`] : [];
}

function renderUnrecordedJob(failure: UnrecordedJobFailure, offsetOf: (iso: string) => string): string[] {
  const { exception, endedAt } = failure.ending;
  return [
    `- **${escapeMarkdown(jobLabel(failure.jobId, failure.name))}** ended ${escapeMarkdown(brief(endingText(failure.ending), 300))}${endedAt === null ? '' : ` at ${offsetOf(endedAt)}`}`,
    ...(exception?.frame ? [`  - At ${code(exception.frame)}`] : []),
    '  - No fix is known: failure memory judged no launch by this job.',
  ];
}

import { z } from 'zod';
import type { TrainingEndEvent } from '../../events/event-schema.js';
import { brief, code, markdownTable, none } from './markdown-format.js';
import type { TrainingJobRow } from '../../state/training-store.js';
import { parseJson, type ReportData } from './report-data.js';
import { jobLabel } from './report-training.js';

/** Classifications that are not failures: the job finished, or was stopped on purpose. */
const NOT_FAILED = new Set(['success', 'stopped']);

/** What the training server keeps of a job's end in `outcome_json`, as far as the report reads it. */
const storedOutcomeSchema = z.object({
  summary: z.string().optional(),
  exception: z.object({ type: z.string(), message: z.string(), frame: z.string().optional() }).optional(),
});

export interface TrainingFailure {
  jobId: string;
  name: string | null;
  classification: string;
  endedAt: string | null;
  summary: string;
  exception: { type: string; message: string; frame?: string } | null;
  /** The later job that succeeded (a later one of the same name first, else the next success); null: unresolved. */
  fixedBy: { jobId: string; name: string | null; endedAt: string | null } | null;
  /** Delegations that ended between the failure and the fix: the agents' own words on what they changed. */
  changes: Array<{ delegationId: string; agent: string; status: string | null; endedAt: string; summary: string }>;
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
  training: TrainingFailure[];
  toolCalls: ToolFailureGroup[];
}

export function failureSection(data: ReportData): FailureSection {
  return { training: trainingFailures(data), toolCalls: toolFailures(data) };
}

function trainingFailures(data: ReportData): TrainingFailure[] {
  const jobs = data.trainingJobs;
  return jobs.flatMap((job, index) => {
    if (job.classification === null || NOT_FAILED.has(job.classification)) return [];
    const later = jobs.slice(index + 1).filter((candidate) => candidate.classification === 'success');
    const fix = (job.name === null ? undefined : later.find((candidate) => candidate.name === job.name)) ?? later[0];
    const failedAt = Date.parse(job.ended_at ?? job.started_at);
    const fixedAt = fix ? Date.parse(fix.ended_at ?? fix.started_at) : Number.NaN;
    const changes = fix
      ? data.delegations.flatMap((delegation) => {
          const endedAt = delegation.ended_at === null ? Number.NaN : Date.parse(delegation.ended_at);
          return endedAt > failedAt && endedAt <= fixedAt ? [{ delegationId: delegation.id, agent: delegation.agent, status: delegation.status, endedAt: delegation.ended_at!, summary: delegation.summary ?? '' }] : [];
        })
      : [];
    const { summary, exception } = failureOf(job, data);
    return [{ jobId: job.job_id, name: job.name, classification: job.classification, endedAt: job.ended_at, summary, exception, fixedBy: fix ? { jobId: fix.job_id, name: fix.name, endedAt: fix.ended_at } : null, changes }];
  });
}

/** How the job failed: from its training-end event, else from the outcome the training server stored. */
function failureOf(job: TrainingJobRow, data: ReportData): Pick<TrainingFailure, 'summary' | 'exception'> {
  const ended = data.events.filter((event): event is TrainingEndEvent => event.type === 'training-end' && event.job_id === job.job_id).at(-1);
  const stored = storedOutcomeSchema.safeParse(parseJson(job.outcome_json ?? ''));
  const outcome = stored.success ? stored.data : {};
  const fallback = `${job.classification}${job.exit_code === null ? '' : `, exit code ${job.exit_code}`}${job.signal ? `, signal ${job.signal}` : ''}`;
  return { summary: ended?.summary ?? outcome.summary ?? fallback, exception: ended?.exception ?? outcome.exception ?? null };
}

function toolFailures(data: ReportData): ToolFailureGroup[] {
  const groups = new Map<string, ToolFailureGroup & { lastIndex: number }>();
  data.toolCalls.forEach((call, index) => {
    if (call.is_error !== 1) return;
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
  if (section.training.length === 0 && section.toolCalls.length === 0) return none('no training job failed and no tool call returned an error');
  return [
    '### Training jobs',
    '',
    ...(section.training.length === 0 ? ['No training job failed.'] : section.training.flatMap((failure) => renderTrainingFailure(failure, offsetOf))),
    '',
    '### Tool calls',
    '',
    ...(section.toolCalls.length === 0
      ? ['No tool call returned an error.']
      : markdownTable(
          ['Tool', 'Error', 'Failures', 'Later succeeded'],
          section.toolCalls.map((group) => [group.tool, group.error, String(group.count), group.laterSucceeded ? 'yes' : '**no: unresolved**']),
        )),
  ];
}

function renderTrainingFailure(failure: TrainingFailure, offsetOf: (iso: string) => string): string[] {
  const { exception } = failure;
  return [
    `- **${jobLabel(failure.jobId, failure.name)}** ended ${code(failure.classification)}${failure.endedAt ? ` at ${offsetOf(failure.endedAt)}` : ''}: ${brief(failure.summary, 300)}`,
    ...(exception ? [`  - Exception: ${code(exception.type)}: ${brief(exception.message, 300)}${exception.frame ? ` at ${code(exception.frame)}` : ''}`] : []),
    failure.fixedBy
      ? `  - Fixed by: **${jobLabel(failure.fixedBy.jobId, failure.fixedBy.name)}**, which succeeded${failure.fixedBy.endedAt ? ` at ${offsetOf(failure.fixedBy.endedAt)}` : ''}`
      : '  - **Unresolved**: no later training job succeeded',
    ...(failure.fixedBy && failure.changes.length === 0 ? ['  - No delegation ended in between.'] : []),
    ...(failure.changes.length > 0 ? ['  - What changed (delegations that ended in between):'] : []),
    ...failure.changes.map((change) => `    - ${change.agent} (${change.delegationId}, ${change.status ?? 'unfinished'}, ${offsetOf(change.endedAt)}): ${brief(change.summary, 400)}`),
  ];
}

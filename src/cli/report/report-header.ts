import { formatDuration } from '../../text/duration.js';
import type { ResultEvent } from '../../events/event-schema.js';
import { briefText, code, escapeMarkdown, timestamp } from './markdown-format.js';
import type { ReportData } from './report-data.js';

/** Which run, of which goal, and how it went. */
export interface HeaderSection {
  runId: string;
  goal: { name: string; source: string };
  status: string;
  /** The result subtype (success, error_max_turns, …); null while the run has none. */
  outcome: string | null;
  exitCode: number | null;
  result: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Processes that drove the run: 1, plus one per resume. */
  sessions: number;
  /** Delegations the runtime ended as stuck (no progress after a warning). */
  stuckDelegations: number;
}

export function headerSection(data: ReportData): HeaderSection {
  const { run } = data;
  const result = data.events.filter((event): event is ResultEvent => event.type === 'result').at(-1);
  return {
    runId: run.id,
    goal: { name: run.goal_name, source: run.goal_source },
    status: run.status,
    outcome: run.subtype ?? result?.subtype ?? null,
    exitCode: run.exit_code ?? result?.exit_code ?? null,
    result: result?.result ?? run.result,
    startedAt: run.started_at,
    endedAt: run.ended_at,
    durationMs: run.ended_at ? Date.parse(run.ended_at) - Date.parse(run.started_at) : null,
    sessions: data.sessions.length,
    stuckDelegations: data.delegations.filter((delegation) => delegation.status === 'stuck').length,
  };
}

export function renderHeader(header: HeaderSection): string[] {
  const resumes = Math.max(0, header.sessions - 1);
  return [
    `# Run report: ${escapeMarkdown(header.goal.name)}`,
    '',
    `- Goal: **${escapeMarkdown(header.goal.name)}** (${code(header.goal.source)})`,
    `- Run: ${code(header.runId)}`,
    `- Status: ${header.status}${header.outcome ? `, outcome **${header.outcome}**${header.exitCode === null ? '' : ` (exit ${header.exitCode})`}` : ''}`,
    `- Started: ${timestamp(header.startedAt)} · ended: ${header.endedAt ? timestamp(header.endedAt) : 'not yet'}${header.durationMs === null ? '' : ` · duration: ${formatDuration(header.durationMs)}`}`,
    `- Sessions: ${header.sessions} (${resumes === 0 ? 'never resumed' : `resumed ${resumes} ${resumes === 1 ? 'time' : 'times'}`})`,
    `- Stuck delegations: ${header.stuckDelegations}${header.stuckDelegations > 0 ? ' (ended by the no-progress detector after a warning; see the timeline)' : ''}`,
    ...(header.result ? [`- Result: ${briefText(header.result, 300)}`] : []),
  ];
}

import { countText } from '../../events/count-text.js';
import type { RunEvent } from '../../events/event-schema.js';
import { endingOfEvent, endingText } from './job-ending.js';
import { brief, code, escapeMarkdown, markdownTable, none, offset } from './markdown-format.js';
import type { ReportData } from './report-data.js';
import { jobLabel } from './report-training.js';

/** One thing that happened: when (and how long after the run started), which agent, what. */
export interface TimelineEntry {
  at: string;
  offsetMs: number;
  agent: string;
  /** Plain text (the markdown escapes it). */
  what: string;
  /** The command `what` ends with, which the markdown shows as code. */
  command?: string;
}

/** The markdown lists at most this many entries: the first ones and the last few, with how many were left out between. */
const TIMELINE_LIMIT = 100;
const TIMELINE_TAIL = 10;

/** Sessions, phase checks, delegations, training jobs, warnings and the result, in the order they happened. */
export function timelineSection(data: ReportData): TimelineEntry[] {
  const start = Date.parse(data.run.started_at);
  return data.events.flatMap((event) => {
    const what = describe(event);
    if (what === undefined) return [];
    return [
      {
        at: event.timestamp,
        offsetMs: Date.parse(event.timestamp) - start,
        agent: event.agent,
        ...(typeof what === 'string' ? { what } : what),
      },
    ];
  });
}

function describe(event: RunEvent): string | { what: string; command: string } | undefined {
  switch (event.type) {
    case 'system':
      if (event.subtype === 'warning') return `warning: ${brief(event.message)}`;
      return event.resumed_session === undefined ? 'run started' : `resumed (session ${event.resumed_session})`;
    case 'phase-report': {
      const done = event.phases.filter((phase) => phase.state === 'done').length;
      const next = event.phases.find((phase) => phase.first_unmet !== undefined);
      return `phase check: ${done} of ${countText(event.phases.length, 'phase')} done${event.goal_complete ? ', goal complete' : ''}${next ? `; next: phase ${next.number} "${brief(next.title, 60)}"` : ''}`;
    }
    case 'delegation-start':
      return `started, delegated by ${event.from}: ${brief(event.task)}`;
    case 'delegation-end':
      return `ended ${event.status}: ${brief(event.summary)}`;
    case 'stuck':
      return event.action === 'warned'
        ? `no progress, told: ${brief(event.detail)}`
        : `ended stuck: ${brief(event.detail)}`;
    case 'budget-warning':
      return `budget warning: ${event.budget} at ${event.used} of ${event.limit}`;
    case 'training-start': {
      const command = brief(event.command, 100);
      return {
        what: `training ${jobLabel(event.job_id, event.name ?? null)} ${event.reattached ? 're-attached' : 'started'}: ${command}`,
        command,
      };
    }
    case 'training-end':
      return `training ${jobLabel(event.job_id, event.name ?? null)} ended ${brief(endingText(endingOfEvent(event)), 200)}`;
    case 'result':
      return `result ${event.subtype}: ${brief(event.result)}`;
    default:
      return undefined;
  }
}

export function renderTimeline(entries: readonly TimelineEntry[]): string[] {
  if (entries.length === 0) return none('no events were recorded');
  const row = (entry: TimelineEntry) => [offset(entry.offsetMs), escapeMarkdown(entry.agent), whatCell(entry)];
  const alignment = ['right', 'left', 'left'] as const;
  if (entries.length <= TIMELINE_LIMIT) return markdownTable(['Time', 'Agent', 'What'], entries.map(row), alignment);
  const head = entries.slice(0, TIMELINE_LIMIT - TIMELINE_TAIL);
  const tail = entries.slice(-TIMELINE_TAIL);
  const left = entries.length - head.length - tail.length;
  return markdownTable(
    ['Time', 'Agent', 'What'],
    [...head.map(row), ['…', '', `… ${left} more (all of them in \`mux-swarm report --json\`)`], ...tail.map(row)],
    alignment,
  );
}

/** The entry's text escaped, the command it ends with as code. */
function whatCell(entry: TimelineEntry): string {
  if (entry.command === undefined || !entry.what.endsWith(entry.command)) return escapeMarkdown(entry.what);
  return `${escapeMarkdown(entry.what.slice(0, entry.what.length - entry.command.length))}${code(entry.command)}`;
}

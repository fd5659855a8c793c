import type { PhaseReportEvent } from '../../events/event-schema.js';
import { brief, markdownTable, none, timestamp } from './markdown-format.js';
import type { ReportData } from './report-data.js';

/** The goal's phases as the latest phase check (phase 0 of the latest session) judged them. */
export interface PhasesSection {
  checkedAt: string;
  goalComplete: boolean;
  phases: Array<{ number: number; title: string; state: string; firstUnmet: { line: number; text: string; detail: string } | null }>;
}

export function phasesSection(data: ReportData): PhasesSection | null {
  const latest = data.events.filter((event): event is PhaseReportEvent => event.type === 'phase-report').at(-1);
  if (!latest) return null;
  return {
    checkedAt: latest.timestamp,
    goalComplete: latest.goal_complete,
    phases: latest.phases.map((phase) => ({ number: phase.number, title: phase.title, state: phase.state, firstUnmet: phase.first_unmet ?? null })),
  };
}

export function renderPhases(section: PhasesSection | null): string[] {
  if (!section) return none('no phase check was recorded');
  return [
    `As checked at ${timestamp(section.checkedAt)}, when the latest session started${section.goalComplete ? ': every phase done, the goal complete' : ''}.`,
    '',
    ...markdownTable(
      ['#', 'Phase', 'State', 'First unmet condition'],
      section.phases.map((phase) => [String(phase.number), phase.title, phase.state, phase.firstUnmet ? `line ${phase.firstUnmet.line}: ${brief(phase.firstUnmet.text, 120)} (${brief(phase.firstUnmet.detail, 120)})` : '—']),
    ),
  ];
}

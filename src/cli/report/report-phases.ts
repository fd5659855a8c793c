import type { PhaseReportEvent, PhaseStanding } from '../../events/event-schema.js';
import { formatPhaseStanding } from '../../events/phase-standing-text.js';
import { phaseEntries } from '../../runtime/phases/phase-standing.js';
import { isGoalComplete } from '../../runtime/recovery/recovery-report.js';
import { brief, briefText, markdownTable, none, timestamp } from './markdown-format.js';
import type { ReportData } from './report-data.js';
import type { GoalCheckNow } from './report-goal-check.js';

/**
 * The goal's phases: checked when the report is made (`now`), in the run's workdir. Without the workdir (the report
 * read elsewhere) the table is the latest session start's (`session-start`), and says so. `atEnd` is where the phases
 * stood when the run ended, as the run recorded it.
 */
export interface PhasesSection {
  checkedAt: string;
  source: 'now' | 'session-start';
  goalComplete: boolean;
  phases: Array<{
    number: number;
    title: string;
    state: string;
    firstUnmet: { line: number; text: string; detail: string } | null;
  }>;
  atEnd: PhaseStanding | null;
}

export function phasesSection(data: ReportData, now: GoalCheckNow | undefined): PhasesSection | null {
  const latest = data.events.filter((event): event is PhaseReportEvent => event.type === 'phase-report').at(-1);
  const checked = now
    ? {
        checkedAt: now.checkedAt,
        source: 'now' as const,
        goalComplete: isGoalComplete(now.evaluation),
        phases: phaseEntries(now.evaluation),
      }
    : latest && {
        checkedAt: latest.timestamp,
        source: 'session-start' as const,
        goalComplete: latest.goal_complete,
        phases: latest.phases,
      };
  if (!checked) return null;
  return {
    ...checked,
    phases: checked.phases.map((phase) => ({
      number: phase.number,
      title: phase.title,
      state: phase.state,
      firstUnmet: phase.first_unmet ?? null,
    })),
    atEnd: data.run.phases,
  };
}

export function renderPhases(section: PhasesSection | null): string[] {
  if (!section) return none('no phase check was recorded');
  if (section.phases.every((phase) => phase.state === 'unchecked'))
    return none('the goal has no "Done when" conditions to check');
  const when =
    section.source === 'now'
      ? `As checked when this report was made (${timestamp(section.checkedAt)}), in the run's workdir`
      : `As checked at ${timestamp(section.checkedAt)}, when the latest session started (the run's workdir is not here to check now)`;
  return [
    `${when}${section.goalComplete ? ': every phase done, the goal complete' : ''}.`,
    ...(section.atEnd ? [`When the run ended: ${formatPhaseStanding(section.atEnd)}.`] : []),
    '',
    ...markdownTable(
      ['#', 'Phase', 'State', 'First unmet condition'],
      section.phases.map((phase) => [
        String(phase.number),
        phase.title,
        phase.state,
        phase.firstUnmet
          ? `line ${phase.firstUnmet.line}: ${brief(phase.firstUnmet.text, 120)} (${briefText(phase.firstUnmet.detail, 120)})`
          : '—',
      ]),
      ['right', 'left', 'left', 'left'],
    ),
  ];
}

import type { EvaluationSection } from './evaluation-files.js';
import { changesSection, type ChangesSection } from './report-changes.js';
import { costSection, type CostSection } from './report-costs.js';
import type { ReportData } from './report-data.js';
import { failureSection, type FailureSection } from './report-failures.js';
import { headerSection, type HeaderSection } from './report-header.js';
import type { GoalCheckNow } from './report-goal-check.js';
import { phasesSection, type PhasesSection } from './report-phases.js';
import { timelineSection, type TimelineEntry } from './report-timeline.js';
import { trainingSection, type TrainingSection } from './report-training.js';

/** The whole report as data: what `--json` prints, and what the markdown is rendered from. */
export interface RunReport {
  header: HeaderSection;
  phases: PhasesSection | null;
  timeline: TimelineEntry[];
  training: TrainingSection;
  evaluation: EvaluationSection;
  costs: CostSection;
  changes: ChangesSection;
  failures: FailureSection;
}

/** `now` prices and times the training jobs still running; `goalNow` is the goal checked as the report is made. */
export function buildRunReport(
  data: ReportData,
  evaluation: EvaluationSection,
  now: Date,
  goalNow?: GoalCheckNow,
): RunReport {
  return {
    header: headerSection(data),
    phases: phasesSection(data, goalNow),
    timeline: timelineSection(data),
    training: trainingSection(data, now),
    evaluation,
    costs: costSection(data, now),
    changes: changesSection(data),
    failures: failureSection(data),
  };
}

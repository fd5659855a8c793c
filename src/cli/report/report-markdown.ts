import { offset } from './markdown-format.js';
import { renderChanges } from './report-changes.js';
import { renderCosts } from './report-costs.js';
import { renderEvaluation } from './report-evaluation.js';
import { renderFailures } from './report-failures.js';
import { renderHeader } from './report-header.js';
import type { RunReport } from './report-model.js';
import { renderPhases } from './report-phases.js';
import { renderTimeline } from './report-timeline.js';
import { renderTraining } from './report-training.js';

/** Links from the markdown to the charts written next to it, relative to the markdown's directory. */
export interface ChartLinks {
  trainingCurve?: string;
}

/** The report as one markdown document: header, then a section each for phases, timeline, training, evaluation, cost, what changed, failures. */
export function renderReportMarkdown(report: RunReport, charts: ChartLinks): string {
  const start = Date.parse(report.header.startedAt);
  const offsetOf = (iso: string) => offset(Date.parse(iso) - start);
  const sections: Array<[string, string[]]> = [
    ['Phases', renderPhases(report.phases)],
    ['Timeline', renderTimeline(report.timeline)],
    ['Training', renderTraining(report.training, charts.trainingCurve)],
    ['Evaluation', renderEvaluation(report.evaluation)],
    ['Cost', renderCosts(report.costs)],
    ['What changed', renderChanges(report.changes, offsetOf)],
    ['Failures and fixes', renderFailures(report.failures, offsetOf)],
  ];
  return `${[...renderHeader(report.header), ...sections.flatMap(([title, lines]) => ['', `## ${title}`, '', ...lines])].join('\n')}\n`;
}

import { existsSync } from 'node:fs';
import type { RunViews } from '../dashboard/dashboard-options.js';
import { loopStanding } from '../runtime/loop/loop-standing.js';
import { readExperimentResults, resultsLogPath } from '../state/experiment-results.js';
import { gpuCosts } from './dashboard-costs.js';
import { failureSection } from './report/report-failures.js';
import { loadReportData } from './report/report-data.js';
import { trainingCurveChart, trainingSection } from './report/report-training.js';
import { loopMetricChart } from './report/loop-metric-chart.js';

/**
 * The dashboard's views of a run, made by the report's own code: the same training summary and curve, the same
 * failure section (fingerprints, relaunches, fixes), the same loop chart as `mux-swarm report` and `results` draw,
 * so a run reads the same in the browser as in its report.
 */
export const reportViews: RunViews = {
  extras(database, runId, runDirectory) {
    const data = loadReportData(database, runId);
    const now = new Date();
    const training = trainingSection(data, now);
    const results = loopResults(runDirectory);
    return {
      training: { jobs: training.jobs, charted: training.curves.length > 0 },
      gpu: gpuCosts(data, now),
      failures: failureSection(data),
      loop: results
        ? {
            start: results.results.start,
            baselines: results.results.baselines,
            experiments: results.results.experiments,
            standing: results.standing,
          }
        : null,
    };
  },
  trainingChart(database, runId) {
    return trainingCurveChart(trainingSection(loadReportData(database, runId), new Date()));
  },
  metricChart(runDirectory) {
    const results = loopResults(runDirectory);
    if (!results || results.results.baselines.length + results.results.experiments.length === 0) return undefined;
    return loopMetricChart(results.results, results.standing);
  },
};

function loopResults(runDirectory: string) {
  const path = resultsLogPath(runDirectory);
  if (!existsSync(path)) return undefined;
  const results = readExperimentResults(path);
  return { results, standing: loopStanding(results, results.start?.margin ?? undefined) };
}

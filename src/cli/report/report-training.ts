import { formatDuration } from '../../text/duration.js';
import { gpuTime } from '../../state/gpu-time.js';
import { endingText, jobEnding, type JobException } from './job-ending.js';
import { brief, code, escapeMarkdown, markdownTable, metric, none, usd } from './markdown-format.js';
import { parseJson, type ReportData } from './report-data.js';
import { renderLineChart, type ChartSeries } from './svg-line-chart.js';

/** The metrics charted: `loss` from the trainers' `log` lines, `eval_loss` from their `eval` lines. */
const CHARTED = [
  { metric: 'loss', event: 'log' },
  { metric: 'eval_loss', event: 'eval' },
] as const;
type ChartedMetric = (typeof CHARTED)[number]['metric'];

export interface MetricSummary {
  last: number;
  lastStep: number;
  /** The lowest value: lower is better for a loss. */
  best: number;
  bestStep: number;
}

export interface TrainingJobSummary {
  jobId: string;
  name: string | null;
  command: string;
  /** The process state (`exited`, `killed`, `timed_out`, `running`); the report shows the classification instead. */
  state: string;
  /** How the training server classified the end (null while it runs): success, python_exception, cuda_oom, stalled, … */
  classification: string | null;
  /** The training server's one line on the end. */
  summary: string | null;
  exception: JobException | null;
  lastStep: number | null;
  totalSteps: number | null;
  startedAt: string;
  endedAt: string | null;
  /** Start to end, or to now for a job still running. */
  runtimeMs: number;
  /** This job alone; the run's GPU total counts overlapping jobs once (see the cost section). */
  gpuCostUsd: number;
  loss: MetricSummary | null;
  evalLoss: MetricSummary | null;
}

/** One line of the training curve: one metric of one job, by step. */
export interface TrainingCurve {
  jobId: string;
  label: string;
  metric: ChartedMetric;
  points: Array<{ step: number; value: number }>;
}

export interface TrainingSection {
  jobs: TrainingJobSummary[];
  curves: TrainingCurve[];
}

/** A job as the report names it: `name (id)`, or its id. */
export function jobLabel(jobId: string, name: string | null): string {
  return name ? `${name} (${jobId})` : jobId;
}

export function trainingSection(data: ReportData, now: Date): TrainingSection {
  const curves = data.trainingJobs.flatMap((job) =>
    CHARTED.map(({ metric: name, event }) => ({
      jobId: job.job_id,
      label: jobLabel(job.job_id, job.name),
      metric: name,
      points: metricPoints(data, job.job_id, event, name),
    })).filter((curve) => curve.points.length > 0),
  );
  const summary = (jobId: string, name: ChartedMetric) =>
    summarize(curves.find((curve) => curve.jobId === jobId && curve.metric === name)?.points ?? []);
  const jobs = data.trainingJobs.map((job) => {
    const ending = jobEnding(job, data.events);
    return {
      jobId: job.job_id,
      name: job.name,
      command: job.command,
      state: job.state,
      classification: ending.classification,
      summary: ending.summary,
      exception: ending.exception,
      lastStep: job.last_step,
      totalSteps: job.total_steps,
      startedAt: job.started_at,
      endedAt: job.ended_at,
      runtimeMs: Math.max(0, (job.ended_at ? Date.parse(job.ended_at) : now.getTime()) - Date.parse(job.started_at)),
      gpuCostUsd: gpuTime([{ startedAt: job.started_at, endedAt: job.ended_at, hourlyUsd: job.gpu_hourly_usd }], now)
        .costUsd,
      loss: summary(job.job_id, 'loss'),
      evalLoss: summary(job.job_id, 'eval_loss'),
    };
  });
  return { jobs, curves };
}

/** The job's numeric values of `name` in its `event` lines, by step; lines without a step or the value are skipped. */
function metricPoints(data: ReportData, jobId: string, event: string, name: string): TrainingCurve['points'] {
  return data.trainingMetrics.flatMap((row) => {
    if (row.job_id !== jobId || row.event !== event) return [];
    const line = parseJson(row.data_json) as Record<string, unknown> | undefined;
    const value = line?.[name];
    const step = row.step ?? line?.step;
    return typeof value === 'number' && Number.isFinite(value) && typeof step === 'number' ? [{ step, value }] : [];
  });
}

function summarize(points: TrainingCurve['points']): MetricSummary | null {
  const last = points.at(-1);
  if (!last) return null;
  const best = points.reduce((lowest, point) => (point.value < lowest.value ? point : lowest));
  return { last: last.value, lastStep: last.step, best: best.value, bestStep: best.step };
}

/**
 * Colours of the training chart, a pair per job: `loss` and `eval_loss` in clearly different hues (Tableau 10),
 * so the two read apart even where they cross; a fifth job takes the first pair again.
 */
export const TRAINING_CHART_COLORS = [
  { loss: '#4e79a7', evalLoss: '#f28e2b' },
  { loss: '#59a14f', evalLoss: '#e15759' },
  { loss: '#76b7b2', evalLoss: '#b07aa1' },
  { loss: '#9c755f', evalLoss: '#edc948' },
] as const;

/**
 * The training curve as an SVG chart: per job a solid `loss` line and a dashed `eval_loss` line in another colour
 * with a marker on every eval point (evals are few and far between; each one is a reading worth seeing); undefined
 * without points.
 */
export function trainingCurveChart(section: TrainingSection): string | undefined {
  if (section.curves.length === 0) return undefined;
  const jobIds = [...new Set(section.curves.map((curve) => curve.jobId))];
  const series: ChartSeries[] = section.curves.map((curve) => {
    const colors = TRAINING_CHART_COLORS[jobIds.indexOf(curve.jobId) % TRAINING_CHART_COLORS.length]!;
    const points = curve.points.map((point) => ({ x: point.step, y: point.value }));
    return curve.metric === 'eval_loss'
      ? { name: `${curve.label} eval_loss`, points, color: colors.evalLoss, dashed: true, marker: 'circle' }
      : { name: `${curve.label} loss`, points, color: colors.loss };
  });
  const jobs = jobIds.map((jobId) => section.curves.find((curve) => curve.jobId === jobId)!.label);
  const description = `Training loss (solid) and eval_loss (dashed, a circle on each evaluation) by step, for ${jobs.join(', ')}.`;
  return renderLineChart({
    title: 'Training curve',
    description,
    xLabel: 'step',
    yLabel: 'loss',
    series,
    wholeX: true,
  });
}

/** `chartLink`: where the markdown finds the chart, relative to it; undefined when there is no chart. */
export function renderTraining(section: TrainingSection, chartLink: string | undefined): string[] {
  if (section.jobs.length === 0) return none('this run started no training jobs');
  const label = (job: TrainingJobSummary) => escapeMarkdown(jobLabel(job.jobId, job.name));
  const stat = (summary: MetricSummary | null, which: 'last' | 'best') =>
    summary ? `${metric(summary[which])} (step ${summary[which === 'last' ? 'lastStep' : 'bestStep']})` : '—';
  return [
    ...markdownTable(
      ['Job', 'Command', 'Ended', 'Steps', 'Runtime', 'GPU cost'],
      section.jobs.map((job) => [
        label(job),
        code(brief(job.command, 100)),
        escapeMarkdown(
          brief(
            endingText({
              endedAt: job.endedAt,
              classification: job.classification,
              summary: job.summary,
              exception: job.exception,
            }),
            200,
          ),
        ),
        job.lastStep === null ? '—' : `${job.lastStep}${job.totalSteps === null ? '' : `/${job.totalSteps}`}`,
        `${formatDuration(job.runtimeMs)}${job.endedAt ? '' : ' (running)'}`,
        usd(job.gpuCostUsd),
      ]),
      ['left', 'left', 'left', 'right', 'right', 'right'],
    ),
    '',
    ...(chartLink === undefined
      ? none('no job reported a loss or eval_loss (see docs/training-protocol.md)')
      : [
          `![training curve](${chartLink})`,
          '',
          ...markdownTable(
            ['Job', 'Last loss', 'Best loss', 'Last eval_loss', 'Best eval_loss'],
            section.jobs
              .filter((job) => job.loss || job.evalLoss)
              .map((job) => [
                label(job),
                stat(job.loss, 'last'),
                stat(job.loss, 'best'),
                stat(job.evalLoss, 'last'),
                stat(job.evalLoss, 'best'),
              ]),
            ['left', 'right', 'right', 'right', 'right'],
          ),
        ]),
  ];
}

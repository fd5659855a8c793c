import { z } from 'zod';
import { TRAINING_CLASSIFICATIONS } from '../../events/event-schema.js';
import type { TrainingMetricRow } from '../../state/training-store.js';
import type { TrainingMonitor } from './training-monitor.js';

/** `structuredContent` of status, and of each job in list. */
export const trainingStatusShape = {
  job_id: z.string(),
  name: z.string().optional(),
  command: z.string(),
  state: z.enum(['running', 'exited', 'killed', 'timed_out']),
  running: z.boolean(),
  pid: z.number().int(),
  reattached: z.boolean().describe('Started before mux-swarm restarted; followed again since'),
  runtime_ms: z.number(),
  step: z.number().nullable(),
  total_steps: z.number().nullable(),
  metrics: z.record(z.string(), z.number()).describe('The latest value of every numeric metric reported'),
  last_checkpoint: z.string().optional(),
  ms_since_progress: z.number().optional().describe('Running jobs: time since the last progress line'),
  classification: z.enum(TRAINING_CLASSIFICATIONS).optional().describe('Ended jobs: how the job ended'),
  summary: z.string().optional().describe('Ended jobs: what happened, in one line'),
  exception: z.object({ type: z.string(), message: z.string(), frame: z.string().optional() }).optional(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  gpu_cost_usd: z.number(),
  log_file: z.string(),
};
const trainingStatusSchema = z.object(trainingStatusShape);
export type TrainingStatus = z.infer<typeof trainingStatusSchema>;

export function toTrainingStatus(monitor: TrainingMonitor, gpuHourlyUsd: number): TrainingStatus {
  const { job } = monitor;
  const end = monitor.end;
  const checkpoint = monitor.lastCheckpoint?.path ?? end?.checkpoint;
  return {
    job_id: job.id,
    ...(job.name === undefined ? {} : { name: job.name }),
    command: job.commandText,
    state: job.state,
    running: job.running,
    pid: job.pid,
    reattached: job.reattached,
    runtime_ms: job.runtimeMs(),
    step: monitor.lastStep ?? end?.lastStep ?? null,
    total_steps: monitor.totalSteps,
    metrics: monitor.latestMetrics,
    ...(checkpoint === undefined ? {} : { last_checkpoint: checkpoint }),
    ...(job.running ? { ms_since_progress: monitor.msSinceProgress() } : {}),
    ...(end === undefined ? {} : { classification: end.classification, summary: end.summary }),
    ...(end?.exception === undefined ? {} : { exception: end.exception }),
    exit_code: job.exitCode,
    signal: job.signal,
    gpu_cost_usd: end?.gpuCostUsd ?? (job.runtimeMs() / 3_600_000) * gpuHourlyUsd,
    log_file: job.log.file,
  };
}

/** One line: id, name, state or outcome, step, main metrics. */
export function describeTrainingJob(status: TrainingStatus): string {
  const who = status.name === undefined ? status.job_id : `${status.job_id} (${status.name})`;
  const where =
    status.step === null
      ? 'no step reported yet'
      : `step ${status.step}${status.total_steps === null ? '' : `/${status.total_steps}`}`;
  const metrics = describeMetrics(status.metrics);
  const state = status.running
    ? `running for ${formatMs(status.runtime_ms)}${status.reattached ? ' (re-attached after a restart)' : ''}`
    : `${status.classification ?? status.state}: ${status.summary ?? `exit code ${status.exit_code ?? 'unknown'}`}`;
  return `${who}: ${state}; ${where}${metrics === '' ? '' : `; ${metrics}`}`;
}

/** The status as the text agents read. */
export function describeTrainingStatus(status: TrainingStatus, logTail: string): string {
  const lines = [describeTrainingJob(status), `Command: ${status.command}`];
  if (status.last_checkpoint !== undefined) lines.push(`Last checkpoint: ${status.last_checkpoint}`);
  if (status.ms_since_progress !== undefined)
    lines.push(`Last progress line ${formatMs(status.ms_since_progress)} ago.`);
  if (status.exception !== undefined) {
    lines.push(
      `Exception: ${status.exception.type}: ${status.exception.message}${status.exception.frame === undefined ? '' : ` at ${status.exception.frame}`}`,
    );
  }
  lines.push(`GPU cost so far: $${status.gpu_cost_usd.toFixed(4)}. Log: ${status.log_file}`);
  lines.push(logTail === '' ? '--- log: (empty) ---' : `--- last lines of the log ---\n${logTail.replace(/\n$/, '')}`);
  return lines.join('\n');
}

/** Progress lines as compact text, one a line: `step 20 log loss=1.23 learning_rate=0.0002`. */
export function describeProgressLines(metrics: readonly TrainingMetricRow[]): string {
  return metrics
    .map((metric) => {
      const fields = Object.entries(metric.data)
        .filter(([key]) => key !== 'event' && key !== 'step')
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      return `${metric.step === null ? '' : `step ${metric.step} `}${metric.event}${fields === '' ? '' : ` ${fields}`}`;
    })
    .join('\n');
}

const HEADLINE_METRICS = ['loss', 'eval_loss', 'learning_rate', 'grad_norm', 'epoch'];

function describeMetrics(metrics: Record<string, number>): string {
  return HEADLINE_METRICS.filter((key) => metrics[key] !== undefined)
    .map((key) => `${key} ${formatNumber(metrics[key]!)}`)
    .join(', ');
}

function formatNumber(value: number): string {
  return Math.abs(value) >= 0.001 || value === 0 ? String(Number(value.toPrecision(4))) : value.toExponential(2);
}

export function formatMs(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

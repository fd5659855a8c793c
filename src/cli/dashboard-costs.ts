import { gpuTime } from '../state/gpu-time.js';
import { costSection } from './report/report-costs.js';
import type { ReportData } from './report/report-data.js';

/** One training job's claim on the GPU box, as the run page's GPU table shows it. */
export interface GpuJobCost {
  job_id: string;
  name: string | null;
  state: string;
  hourly_usd: number;
  /** Start to end, or to now while the job runs. */
  seconds: number;
  cost_usd: number;
}

/**
 * GPU time and cost of a run for the dashboard, computed as `mux-swarm report` computes them (`costSection`, the
 * same `gpuTime`): each training job on its own at its recorded hourly price, and the run's total, the union of the
 * jobs' intervals (overlapping jobs counted once, at the higher price), plus the model cost and the sum. A job
 * records no GPU name, only the box's hourly price, so the GPU is reported by the jobs that held it.
 */
export function gpuCosts(data: ReportData, now: Date) {
  const costs = costSection(data, now);
  const jobs: GpuJobCost[] = data.trainingJobs.map((job) => {
    const own = gpuTime([{ startedAt: job.started_at, endedAt: job.ended_at, hourlyUsd: job.gpu_hourly_usd }], now);
    return {
      job_id: job.job_id,
      name: job.name,
      state: job.state,
      hourly_usd: job.gpu_hourly_usd,
      seconds: own.seconds,
      cost_usd: own.costUsd,
    };
  });
  return {
    jobs,
    seconds: costs.gpu.seconds,
    cost_usd: costs.gpu.costUsd,
    model_usd: costs.modelUsd,
    total_usd: costs.totalUsd,
  };
}

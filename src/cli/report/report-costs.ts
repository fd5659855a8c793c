import { formatDuration } from '../../text/duration.js';
import { costCell, costText } from '../../events/cost-text.js';
import { gpuTime } from '../../state/gpu-time.js';
import type { ChainEntryUsage } from '../../state/model-failovers.js';
import type { UsageRow } from '../../state/run-queries.js';
import { escapeMarkdown, markdownTable, none, usd } from './markdown-format.js';
import type { ReportData } from './report-data.js';

export interface UsageLine {
  /** The agent, or `provider/model`. */
  key: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Calls whose cost no source knew (counted as 0 in costUsd). */
  unknownCostCalls: number;
}

/** What the run cost: model calls by agent and by model, GPU time of its training jobs, and the sum. */
export interface CostSection {
  byAgent: UsageLine[];
  byModel: UsageLine[];
  modelUsd: number;
  /** `provider/model` of the calls whose cost no source knew: modelUsd and totalUsd leave them out. */
  costUnknownModels: string[];
  /** The union of the training jobs' intervals, each instant at the highest hourly price of the jobs running then. */
  gpu: { jobs: number; seconds: number; costUsd: number };
  totalUsd: number;
  /** Time and cost per entry of the agents' failover chains; empty when no call ever moved off a first model. */
  chains: ChainEntryUsage[];
}

export function costSection(data: ReportData, now: Date): CostSection {
  const usage = (rows: readonly UsageRow[]): UsageLine[] =>
    rows.map((row) => ({
      key: row.key,
      calls: row.calls,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      costUsd: row.cost_usd,
      unknownCostCalls: row.unknown_cost_calls,
    }));
  const modelUsd = data.usageByAgent.reduce((sum, row) => sum + row.cost_usd, 0);
  const gpu = gpuTime(
    data.trainingJobs.map((job) => ({
      startedAt: job.started_at,
      endedAt: job.ended_at,
      hourlyUsd: job.gpu_hourly_usd,
    })),
    now,
  );
  const costUnknownModels = data.usageByModel.filter((row) => row.unknown_cost_calls > 0).map((row) => row.key);
  return {
    byAgent: usage(data.usageByAgent),
    byModel: usage(data.usageByModel),
    modelUsd,
    costUnknownModels,
    gpu: { jobs: data.trainingJobs.length, ...gpu },
    totalUsd: modelUsd + gpu.costUsd,
    chains: data.chainUsage,
  };
}

export function renderCosts(section: CostSection): string[] {
  if (section.byAgent.length === 0 && section.gpu.jobs === 0)
    return none('no model calls and no training jobs were recorded');
  const table = (title: string, lines: readonly UsageLine[]) => [
    `### By ${title.toLowerCase()}`,
    '',
    ...markdownTable(
      [title, 'Calls', 'Input tokens', 'Output tokens', 'USD'],
      lines.map((line) => [
        escapeMarkdown(line.key),
        String(line.calls),
        String(line.inputTokens),
        String(line.outputTokens),
        costCell(line.costUsd, line.unknownCostCalls, usd),
      ]),
      ['left', 'right', 'right', 'right', 'right'],
    ),
    '',
  ];
  return [
    ...(section.byAgent.length === 0
      ? ['No model calls.', '']
      : [...table('Agent', section.byAgent), ...table('Model', section.byModel)]),
    ...renderChains(section.chains),
    '### GPU',
    '',
    section.gpu.jobs === 0
      ? 'No training jobs.'
      : `${formatDuration(section.gpu.seconds * 1000)} of GPU time over ${section.gpu.jobs} training ${section.gpu.jobs === 1 ? 'job' : 'jobs'}: ${usd(section.gpu.costUsd)} (overlapping jobs counted once, at the higher hourly price).`,
    '',
    `**Total: ${escapeMarkdown(costText(section.totalUsd, section.costUnknownModels, usd))}** = models ${escapeMarkdown(costText(section.modelUsd, section.costUnknownModels, usd))} + GPU ${usd(section.gpu.costUsd)}`,
  ];
}

/** Which entry of each agent's failover chain answered, what it took and cost, and how often calls moved off it. */
function renderChains(chains: readonly ChainEntryUsage[]): string[] {
  if (chains.length === 0) return [];
  return [
    '### By failover chain entry',
    '',
    ...markdownTable(
      ['Agent', 'Entry', 'Calls answered', 'Time answering', 'USD', 'Failovers from it', 'Time lost to its failures'],
      chains.map((row) => [
        escapeMarkdown(row.agent),
        escapeMarkdown(row.entry),
        String(row.answered),
        formatDuration(row.answerMs),
        usd(row.costUsd),
        String(row.failovers),
        formatDuration(row.failedMs),
      ]),
      ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
  ];
}

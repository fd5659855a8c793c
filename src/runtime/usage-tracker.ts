import type { UsageTotals } from '../events/event-schema.js';
import type { ChatResponse } from '../providers/chat-types.js';

export type { UsageTotals };

const empty = (): UsageTotals => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  reasoning_tokens: 0,
  cost_usd: 0,
  calls: 0,
});

/** Token and cost totals for the run, per agent and per model (`provider/model`), and the models whose cost is unknown. */
export class UsageTracker {
  private readonly run = empty();
  /** `provider/model` keys with a call whose cost no source knew (counted as 0). */
  private readonly unknownCost = new Set<string>();
  private readonly agents = new Map<string, UsageTotals>();
  private readonly models = new Map<string, UsageTotals>();
  /** Model turns across all agents. */
  turns = 0;
  /** GPU time of the run's training jobs and what it cost; the cost is part of the run's totals. */
  private gpu = { seconds: 0, costUsd: 0 };

  record(
    agent: string,
    response: Pick<ChatResponse, 'usage' | 'costUsd' | 'costSource' | 'provider' | 'model'>,
    requestedModel: string,
  ): void {
    const modelKey = `${response.provider}/${requestedModel}`;
    if (response.costSource === 'unknown') this.unknownCost.add(modelKey);
    for (const totals of [this.run, this.totalsFor(this.agents, agent), this.totalsFor(this.models, modelKey)]) {
      totals.input_tokens += response.usage.inputTokens;
      totals.output_tokens += response.usage.outputTokens;
      totals.cache_read_input_tokens += response.usage.cachedInputTokens;
      totals.reasoning_tokens += response.usage.reasoningTokens;
      totals.cost_usd += response.costUsd;
      totals.calls += 1;
    }
  }

  /** Counts the model calls a run made before a restart, so its totals and budgets carry on. */
  restore(
    calls: ReadonlyArray<{
      agent: string;
      provider: string;
      model: string;
      input_tokens: number;
      output_tokens: number;
      cached_input_tokens: number;
      reasoning_tokens: number;
      cost_usd: number;
      cost_source: string | null;
    }>,
  ): void {
    for (const call of calls) {
      const usage = {
        inputTokens: call.input_tokens,
        outputTokens: call.output_tokens,
        cachedInputTokens: call.cached_input_tokens,
        reasoningTokens: call.reasoning_tokens,
      };
      // Only 'unknown' matters here; any other recorded source (or none, from an older mux-swarm) counts as known.
      const costSource = call.cost_source === 'unknown' ? 'unknown' : 'provider';
      this.record(
        call.agent,
        { usage, costUsd: call.cost_usd, costSource, provider: call.provider, model: call.model },
        call.model,
      );
      this.turns += 1;
    }
  }

  /** The run's GPU time and cost so far (counted from its training jobs, not added up: it replaces the last count). */
  setGpuTime(seconds: number, costUsd: number): void {
    this.gpu = { seconds, costUsd };
  }

  gpuTime(): { seconds: number; costUsd: number } {
    return { ...this.gpu };
  }

  /** Tokens and model calls of the run; cost_usd is the models' cost plus the GPU cost. */
  totals(): UsageTotals {
    return { ...this.run, cost_usd: this.run.cost_usd + this.gpu.costUsd };
  }

  byAgent(): Record<string, UsageTotals> {
    return Object.fromEntries([...this.agents].map(([name, totals]) => [name, { ...totals }]));
  }

  byModel(): Record<string, UsageTotals> {
    return Object.fromEntries([...this.models].map(([name, totals]) => [name, { ...totals }]));
  }

  /** The `provider/model` keys whose cost is unknown for some call, sorted; empty when every cost was known. */
  costUnknownModels(): string[] {
    return [...this.unknownCost].sort();
  }

  costFor(agent: string): number {
    return this.agents.get(agent)?.cost_usd ?? 0;
  }

  private totalsFor(map: Map<string, UsageTotals>, key: string): UsageTotals {
    let totals = map.get(key);
    if (!totals) {
      totals = empty();
      map.set(key, totals);
    }
    return totals;
  }
}

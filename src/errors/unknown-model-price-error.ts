import { MuxSwarmError } from './mux-swarm-error.js';

/** An agent whose model has no known price: no provider-reported cost, not free, not in `prices`, not in the catalogue. */
export interface UnpricedModel {
  agent: string;
  provider: string;
  model: string;
}

/**
 * A USD budget cannot bind when a model's price is unknown (its calls would count $0), so the run refuses to start.
 * The message names each agent and `provider/model`, and every way to give a price.
 */
export class UnknownModelPriceError extends MuxSwarmError {
  readonly models: UnpricedModel[];

  constructor(options: { models: UnpricedModel[]; budgetUsd: number; budgetSource: string; configFile: string }) {
    const { models, configFile } = options;
    const modelIds = [...new Set(models.map((entry) => entry.model))];
    const providers = [...new Set(models.map((entry) => entry.provider))];
    const example = `"prices": {${modelIds.map((model) => `${JSON.stringify(model)}: {"inputPerMillion": 0.5, "outputPerMillion": 1.5}`).join(', ')}}`;
    super(
      'model_price_unknown',
      [
        `The run has a USD budget ($${options.budgetUsd.toLocaleString('en-US', { maximumFractionDigits: 10, useGrouping: false })}, from ${options.budgetSource}), but ${models.length === 1 ? 'the price of this model is' : 'the prices of these models are'} unknown, so the budget could not be enforced:`,
        ...models.map((entry) => `  - agent "${entry.agent}" uses ${entry.provider}/${entry.model}`),
        'Give each a price, in one of these ways, or run without a USD budget (costs are then reported as unknown):',
        `  - add its price (USD per million tokens, your provider's figures) to ${configFile}: ${example}`,
        `  - a local endpoint that costs nothing (Ollama, llama.cpp, vLLM): set "free": true on ${providers.map((provider) => `providers.${provider}`).join(', ')} in ${configFile}`,
        `  - an endpoint in front of a known provider (e.g. a LiteLLM proxy before OpenAI): set "catalogue": "openai" (the catalogue provider it serves) on that provider in ${configFile}; see docs/providers.md`,
      ].join('\n'),
    );
    this.models = models;
  }
}

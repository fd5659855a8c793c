import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCost, findPrice, type CostOptions } from '../../src/providers/cost.js';
import { loadModelCatalogue } from '../../src/providers/model-catalogue.js';
import { mapUsage, reportedCost } from '../../src/providers/usage.js';
import { catalogueModel } from './catalogue-data.js';

const usage = { inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 400_000, reasoningTokens: 100_000 };

/** Options for a call to `model` on a local endpoint that no catalogue provider matches; counts catalogue loads. */
function costOptions(overrides: Partial<CostOptions> = {}): { options: CostOptions; loads: () => number } {
  let loads = 0;
  const options: CostOptions = {
    usage,
    reportedCostUsd: undefined,
    modelIds: ['m'],
    prices: {},
    free: false,
    catalogue: { baseURL: 'http://127.0.0.1:8000/v1' },
    loadCatalogue: () => {
      loads += 1;
      return loadModelCatalogue();
    },
    ...overrides,
  };
  return { options, loads: () => loads };
}

describe('computeCost: provider, free, price table, catalogue, unknown — the first that knows', () => {
  it('prefers the cost the provider reports, even 0, over a free mark and a price, without loading the catalogue', async () => {
    const { options, loads } = costOptions({
      reportedCostUsd: 0,
      free: true,
      prices: { m: { inputPerMillion: 5, outputPerMillion: 5 } },
    });
    assert.deepEqual(await computeCost(options), { costUsd: 0, costSource: 'provider' });
    assert.equal(loads(), 0);
  });

  it('counts a free provider as 0 with source free, even when the table prices the model', async () => {
    const { options, loads } = costOptions({ free: true, prices: { m: { inputPerMillion: 5, outputPerMillion: 5 } } });
    assert.deepEqual(await computeCost(options), { costUsd: 0, costSource: 'free' });
    assert.equal(loads(), 0);
  });

  it('bills cached input at the cached price, or the input price when none is given', async () => {
    const withCached = await computeCost(
      costOptions({ prices: { m: { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 } } }).options,
    );
    assert.equal(withCached.costSource, 'price-table');
    assert.ok(Math.abs(withCached.costUsd - (0.6 * 3 + 0.4 * 0.3 + 0.5 * 15)) < 1e-12);
    const withoutCached = await computeCost(
      costOptions({ prices: { m: { inputPerMillion: 3, outputPerMillion: 15 } } }).options,
    );
    assert.ok(Math.abs(withoutCached.costUsd - (1 * 3 + 0.5 * 15)) < 1e-12);
  });

  it('prices from the catalogue by the base URL when the table has no entry', async () => {
    const expected = await catalogueModel('openai', 'gpt-4o-mini');
    const { options } = costOptions({ modelIds: ['gpt-4o-mini'], catalogue: { baseURL: 'https://api.openai.com/v1' } });
    const cost = await computeCost(options);
    assert.equal(cost.costSource, 'catalogue');
    const cached = expected.cachedInputPerMillion ?? expected.inputPerMillion;
    assert.ok(
      Math.abs(cost.costUsd - (0.6 * expected.inputPerMillion + 0.4 * cached + 0.5 * expected.outputPerMillion)) < 1e-9,
      `${cost.costUsd}`,
    );
  });

  it('prices from the catalogue by the provider id config names, trying the model that answered after the one asked for', async () => {
    const expected = await catalogueModel('openai', 'gpt-4o-mini');
    const { options } = costOptions({
      usage: { ...usage, cachedInputTokens: 0 },
      modelIds: ['my-router-alias', 'gpt-4o-mini'],
      catalogue: { baseURL: 'http://127.0.0.1:4000/v1', providerId: 'openai' },
    });
    const cost = await computeCost(options);
    assert.equal(cost.costSource, 'catalogue');
    assert.ok(Math.abs(cost.costUsd - (expected.inputPerMillion + 0.5 * expected.outputPerMillion)) < 1e-9);
  });

  it('is 0 with source unknown when nothing prices the model (a local endpoint, not free, no price)', async () => {
    const { options, loads } = costOptions({ modelIds: ['gpt-4o-mini'] });
    assert.deepEqual(await computeCost(options), { costUsd: 0, costSource: 'unknown' });
    assert.equal(loads(), 1, 'the catalogue was asked, and matched no provider for a local base URL');
  });
});

describe('findPrice', () => {
  const prices = {
    'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
    'openai/gpt-4o': { inputPerMillion: 9, outputPerMillion: 9 },
  };
  it('matches the exact id first, then the id without its provider/ prefix', () => {
    assert.equal(findPrice(prices, ['openai/gpt-4o'])?.inputPerMillion, 9);
    assert.equal(findPrice(prices, ['azure/gpt-4o'])?.inputPerMillion, 2.5);
    assert.equal(findPrice(prices, ['gpt-4o'])?.inputPerMillion, 2.5);
    assert.equal(findPrice(prices, ['other', 'gpt-4o'])?.inputPerMillion, 2.5, 'falls back to the next id');
    assert.equal(findPrice(prices, ['gpt-4o-mini']), undefined);
    assert.equal(findPrice(prices, ['toString']), undefined, 'no prototype keys');
  });
});

describe('mapUsage and reportedCost', () => {
  it('maps prompt, completion, cached and reasoning tokens', () => {
    assert.deepEqual(
      mapUsage({
        prompt_tokens: 10,
        completion_tokens: 20,
        total_tokens: 30,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 7 },
      }),
      { inputTokens: 10, outputTokens: 20, cachedInputTokens: 4, reasoningTokens: 7 },
    );
  });
  it('gives zeros when usage is missing', () => {
    assert.deepEqual(mapUsage(undefined), {
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    assert.deepEqual(mapUsage(null), { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
  });
  it('reads usage.cost only when it is a non-negative number', () => {
    const base = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    assert.equal(reportedCost({ ...base, cost: 0.25 } as never), 0.25);
    assert.equal(reportedCost({ ...base, cost: '0.25' } as never), undefined);
    assert.equal(reportedCost(base), undefined);
  });
});

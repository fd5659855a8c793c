import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCost, findPrice } from '../../src/providers/cost.js';
import { mapUsage, reportedCost } from '../../src/providers/usage.js';

const usage = { inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 400_000, reasoningTokens: 100_000 };

describe('computeCost', () => {
  it('prefers the cost the provider reports, even 0', () => {
    assert.deepEqual(computeCost({ usage, reportedCostUsd: 0, modelIds: ['m'], prices: { m: { inputPerMillion: 5, outputPerMillion: 5 } } }), {
      costUsd: 0,
      costSource: 'provider',
    });
  });

  it('bills cached input at the cached price, or the input price when none is given', () => {
    const withCached = computeCost({ usage, reportedCostUsd: undefined, modelIds: ['m'], prices: { m: { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 } } });
    assert.equal(withCached.costSource, 'price-table');
    assert.ok(Math.abs(withCached.costUsd - (0.6 * 3 + 0.4 * 0.3 + 0.5 * 15)) < 1e-12);
    const withoutCached = computeCost({ usage, reportedCostUsd: undefined, modelIds: ['m'], prices: { m: { inputPerMillion: 3, outputPerMillion: 15 } } });
    assert.ok(Math.abs(withoutCached.costUsd - (1 * 3 + 0.5 * 15)) < 1e-12);
  });

  it('is 0 with source unknown when no price matches', () => {
    assert.deepEqual(computeCost({ usage, reportedCostUsd: undefined, modelIds: ['m'], prices: {} }), { costUsd: 0, costSource: 'unknown' });
  });
});

describe('findPrice', () => {
  const prices = { 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 }, 'openai/gpt-4o': { inputPerMillion: 9, outputPerMillion: 9 } };
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
        prompt_tokens: 10, completion_tokens: 20, total_tokens: 30,
        prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 7 },
      }),
      { inputTokens: 10, outputTokens: 20, cachedInputTokens: 4, reasoningTokens: 7 },
    );
  });
  it('gives zeros when usage is missing', () => {
    assert.deepEqual(mapUsage(undefined), { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
    assert.deepEqual(mapUsage(null), { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 });
  });
  it('reads usage.cost only when it is a non-negative number', () => {
    const base = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    assert.equal(reportedCost({ ...base, cost: 0.25 } as never), 0.25);
    assert.equal(reportedCost({ ...base, cost: '0.25' } as never), undefined);
    assert.equal(reportedCost(base), undefined);
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { configSchema } from '../../src/config/config-schema.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { loadModelCatalogue } from '../../src/providers/model-catalogue.js';
import {
  checkCatalogueProviders,
  mayNeedCatalogue,
  reportsOwnCost,
  unpricedModels,
} from '../../src/providers/price-check.js';
import { catalogueModel, catalogueRawPrices } from './catalogue-data.js';

// Every way out to the network a module without imports has: the catalogue must use none of them.
const reached: string[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = ((input: unknown) => {
  reached.push(String(input));
  return Promise.reject(new Error('no network in this test'));
}) as typeof fetch;

describe('the model catalogue (@pydantic/genai-prices, loaded on first use)', () => {
  after(() => {
    globalThis.fetch = realFetch;
  });

  it("finds a model by the endpoint's base URL, with its prices per million tokens and context window", async () => {
    const catalogue = await loadModelCatalogue();
    const expected = await catalogueModel('openrouter', 'openai/gpt-4o-mini');
    const entry = catalogue.find({ baseURL: 'https://openrouter.ai/api/v1', modelIds: ['openai/gpt-4o-mini'] });
    assert.deepEqual(entry, {
      providerId: 'openrouter',
      modelId: 'openai/gpt-4o-mini',
      price: {
        inputPerMillion: expected.inputPerMillion,
        outputPerMillion: expected.outputPerMillion,
        ...(expected.cachedInputPerMillion === undefined
          ? {}
          : { cachedInputPerMillion: expected.cachedInputPerMillion }),
      },
      contextWindow: expected.contextWindow,
    });
  });

  it('uses the provider id config names instead of the base URL, and tries a vendor/ id without its prefix', async () => {
    const catalogue = await loadModelCatalogue();
    const expected = await catalogueModel('openai', 'gpt-4o-mini');
    const entry = catalogue.find({
      baseURL: 'http://127.0.0.1:4000/v1',
      providerId: 'openai',
      modelIds: ['openai/gpt-4o-mini'],
    });
    assert.equal(entry?.providerId, 'openai');
    assert.equal(entry?.modelId, 'gpt-4o-mini');
    assert.equal(entry?.price?.inputPerMillion, expected.inputPerMillion);
    assert.equal(entry?.contextWindow, expected.contextWindow);
  });

  it('knows nothing of a local endpoint without a provider id, nor of a model its provider lacks', async () => {
    const catalogue = await loadModelCatalogue();
    assert.equal(catalogue.find({ baseURL: 'http://127.0.0.1:11434/v1', modelIds: ['gpt-4o-mini'] }), undefined);
    assert.equal(catalogue.find({ baseURL: 'https://api.openai.com/v1', modelIds: ['qwen2.5-coder:7b'] }), undefined);
    assert.equal(
      catalogue.cost(
        { baseURL: 'http://127.0.0.1:11434/v1', modelIds: ['gpt-4o-mini'] },
        { inputTokens: 10, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 },
      ),
      undefined,
    );
  });

  it("prices a model with tiered prices at the tier the prompt's length reaches", async () => {
    const catalogue = await loadModelCatalogue();
    const raw = await catalogueRawPrices('anthropic', 'claude-sonnet-4-5');
    const tiered = raw.input_mtok;
    assert.ok(typeof tiered === 'object', 'a tiered input price: choose another model if the catalogue changed');
    const rate = (value: (typeof raw)[string], prompt: number): number => {
      if (typeof value === 'number') return value;
      if (value === undefined) return 0;
      return value.tiers.filter((tier) => prompt > tier.start).at(-1)?.price ?? value.base;
    };
    const query = { baseURL: 'https://api.anthropic.com/v1', modelIds: ['claude-sonnet-4-5'] };
    for (const prompt of [tiered.tiers[0]!.start - 1_000, tiered.tiers[0]!.start + 50_000]) {
      const cost = catalogue.cost(query, {
        inputTokens: prompt,
        outputTokens: 1_000,
        cachedInputTokens: 0,
        reasoningTokens: 0,
      });
      const expected = (prompt * rate(raw.input_mtok, prompt) + 1_000 * rate(raw.output_mtok, prompt)) / 1_000_000;
      assert.ok(
        cost !== undefined && Math.abs(cost.costUsd - expected) < 1e-9,
        `${prompt} tokens: ${cost?.costUsd} vs ${expected}`,
      );
    }
    assert.equal(catalogue.find(query)?.price?.inputPerMillion, tiered.base, 'the per-million figure is the base rate');
  });

  it('lists its provider ids and tells which it has', async () => {
    const catalogue = await loadModelCatalogue();
    for (const id of ['openai', 'openrouter', 'anthropic', 'groq']) assert.ok(catalogue.providerIds().includes(id), id);
    assert.equal(catalogue.hasProvider('openai'), true);
    assert.equal(catalogue.hasProvider('opnai'), false);
  });

  it('is one module load, shared by every caller', async () => {
    assert.equal(loadModelCatalogue(), loadModelCatalogue());
  });

  it('fetched nothing while it loaded and looked models up', () => {
    assert.deepEqual(reached, []);
  });
});

describe('what a run checks about prices before it starts', () => {
  const config = configSchema.parse({
    providers: {
      local: { baseURL: 'http://127.0.0.1:8000/v1' },
      ollama: { baseURL: 'http://127.0.0.1:11434/v1', free: true },
      proxy: { baseURL: 'http://127.0.0.1:4000/v1', catalogue: 'openai' },
      openrouter: { baseURL: 'https://openrouter.ai/api/v1' },
      openai: { baseURL: 'https://api.openai.com/v1' },
      typo: { baseURL: 'http://127.0.0.1:4001/v1', catalogue: 'opnai' },
    },
    prices: { 'priced-model': { inputPerMillion: 1, outputPerMillion: 2 } },
  });

  it('finds the models nobody prices: not free, not reported by the provider, not in prices, not in the catalogue', async () => {
    const unpriced = await unpricedModels(
      [
        { agent: 'a', provider: 'local', model: 'mystery' },
        { agent: 'b', provider: 'local', model: 'priced-model' },
        { agent: 'c', provider: 'ollama', model: 'qwen3:8b' },
        { agent: 'd', provider: 'proxy', model: 'gpt-4o-mini' },
        { agent: 'e', provider: 'openrouter', model: 'some/new-model' },
        { agent: 'f', provider: 'openai', model: 'gpt-4o' },
        { agent: 'g', provider: 'openai', model: 'not-a-model' },
      ],
      config,
    );
    assert.deepEqual(unpriced, [
      { agent: 'a', provider: 'local', model: 'mystery' },
      { agent: 'g', provider: 'openai', model: 'not-a-model' },
    ]);
  });

  it('takes OpenRouter as reporting its own cost', () => {
    assert.equal(reportsOwnCost('https://openrouter.ai/api/v1'), true);
    assert.equal(reportsOwnCost('https://api.openai.com/v1'), false);
    assert.equal(reportsOwnCost('http://127.0.0.1:8000/v1'), false);
  });

  it('needs the catalogue for a price the table lacks or a context window swarm.json lacks, not for a free local model', () => {
    assert.equal(mayNeedCatalogue({ agent: 'a', provider: 'ollama', model: 'qwen3:8b' }, config), false);
    assert.equal(
      mayNeedCatalogue({ agent: 'a', provider: 'local', model: 'priced-model', contextWindow: 8000 }, config),
      false,
    );
    assert.equal(
      mayNeedCatalogue({ agent: 'a', provider: 'local', model: 'priced-model' }, config),
      true,
      'for the context window',
    );
    assert.equal(
      mayNeedCatalogue({ agent: 'a', provider: 'local', model: 'mystery', contextWindow: 8000 }, config),
      true,
      'for the price',
    );
  });

  it('refuses a catalogue id the catalogue lacks, naming the file, the JSON path and the nearest id', async () => {
    await checkCatalogueProviders(config, 'config.json', ['proxy', 'local']);
    await assert.rejects(checkCatalogueProviders(config, 'config.json', ['proxy', 'typo']), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /^config\.json: providers\.typo\.catalogue: "opnai" is not a provider of the price catalogue \(did you mean "openai"\?\); it has: .*openrouter/,
      );
      return true;
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestName, suggestNames } from '../../src/text/name-suggestions.js';

describe('suggestNames', () => {
  it('names the nearest candidate when it is near enough to be a typo, ignoring case', () => {
    assert.equal(closestName('mdel', ['model', 'provider']), 'model');
    assert.equal(
      closestName('modle', ['model']),
      undefined,
      'a transposition is two edits, more than a third of five letters',
    );
    assert.equal(closestName('MODEL', ['model']), 'model');
    assert.equal(closestName('temperature', ['model', 'provider']), undefined);
  });

  it('puts names containing the wanted one first, from the given length on', () => {
    const options = {
      limit: 3,
      maxDistance: (length: number) => Math.max(2, Math.floor(length / 3)),
      containmentFrom: 3,
    };
    assert.deepEqual(suggestNames('lora', ['qlora-finetune', 'lore', 'vllm-serve'], options), [
      'qlora-finetune',
      'lore',
    ]);
    assert.deepEqual(suggestNames('lo', ['lora-finetune'], options), []);
  });

  it('compares a provider/model id by its model part too, and ranks every candidate without a bound', () => {
    const options = { limit: 2, containmentFrom: 0, ignorePrefix: true };
    assert.deepEqual(suggestNames('gpt-4o', ['openai/gpt-4o-mini', 'anthropic/claude', 'gpt-4'], options), [
      'gpt-4',
      'openai/gpt-4o-mini',
    ]);
    assert.deepEqual(suggestNames('claud', ['openai/gpt-4o', 'anthropic/claude'], { ...options, limit: 1 }), [
      'anthropic/claude',
    ]);
  });
});

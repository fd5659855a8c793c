import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costCell, costText } from '../../src/events/cost-text.js';

describe('cost as people read it', () => {
  it("says which models' cost is unknown instead of showing $0.0000, after what is known", () => {
    assert.equal(costText(0.0123, []), '$0.0123');
    assert.equal(costText(0, []), '$0.0000', 'a known zero (a free endpoint) stays $0.0000');
    assert.equal(costText(0, ['fake/x-model']), 'cost unknown for fake/x-model');
    assert.equal(costText(0.0123, ['a/m', 'b/n']), '$0.0123 + cost unknown for a/m, b/n');
  });

  it('marks a table row with calls of unknown cost', () => {
    assert.equal(costCell(0.022, 0), '$0.0220');
    assert.equal(costCell(0, 2), 'unknown');
    assert.equal(costCell(0.022, 1), '$0.0220 + unknown');
    assert.equal(
      costCell(0.022, 1, (usd) => `USD ${usd}`),
      'USD 0.022 + unknown',
    );
  });
});

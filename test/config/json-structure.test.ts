import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDuplicateKey, MAX_JSON_DEPTH, tooDeepOffset } from '../../src/config/json-structure.js';

describe('JSON structure checks: nesting depth and duplicate keys', () => {
  it('finds no problem in ordinary JSON, brackets and quotes inside strings included', () => {
    const text = '{"a": "x{[\\"]}", "b": [{"a": 1}, {"a": 2}], "c": {"a": {"a": []}}}';
    assert.equal(tooDeepOffset(text), undefined);
    assert.equal(firstDuplicateKey(text), undefined);
  });

  it('names the path of a duplicate key, through arrays and escaped keys', () => {
    assert.deepEqual(firstDuplicateKey('{"agents": [{"name": "a"}, {"name": "b", "model": "x", "model": "y"}]}'), {
      path: 'agents[1].model',
      offset: 55,
    });
    assert.equal(firstDuplicateKey('{"a b": {"k": 1, "\\u006b": 2}}')?.path, '["a b"].k');
    assert.equal(firstDuplicateKey('{"x": 1, "x": 2}')?.path, 'x');
  });

  it('stops at the first bracket past the depth limit, closed or not', () => {
    assert.equal(tooDeepOffset('['.repeat(MAX_JSON_DEPTH)), undefined);
    assert.equal(tooDeepOffset('['.repeat(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH);
    assert.equal(tooDeepOffset(`{"a": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`), MAX_JSON_DEPTH + 5);
  });
});

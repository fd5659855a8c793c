import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interleaveTiers, unionEntities, unionGraphs, unionRelations } from '../../src/state/knowledge-graph-union.js';

describe('knowledge graph union', () => {
  it("keeps one entity per name: the first list's type, every observation once, the first's first", () => {
    const merged = unionEntities(
      [
        { name: 'venv', entityType: 'workdir-type', observations: ['a', 'b'] },
        { name: 'only-workdir', entityType: 't', observations: [] },
      ],
      [
        { name: 'venv', entityType: 'user-type', observations: ['c', 'b', 'a'] },
        { name: 'only-user', entityType: 't', observations: ['x'] },
      ],
    );
    assert.deepEqual(merged, [
      { name: 'venv', entityType: 'workdir-type', observations: ['a', 'b', 'c'] },
      { name: 'only-workdir', entityType: 't', observations: [] },
      { name: 'only-user', entityType: 't', observations: ['x'] },
    ]);
  });

  it('keeps each relation once, by from, to and type', () => {
    const relation = { from: 'a', to: 'b', relationType: 'uses' };
    assert.deepEqual(
      unionRelations(
        [relation],
        [{ ...relation }, { ...relation, relationType: 'needs' }, { from: 'b', to: 'a', relationType: 'uses' }],
      ),
      [relation, { from: 'a', to: 'b', relationType: 'needs' }, { from: 'b', to: 'a', relationType: 'uses' }],
    );
  });

  it('does not change the graphs it merges', () => {
    const first = { entities: [{ name: 'x', entityType: 't', observations: ['1'] }], relations: [] };
    unionGraphs(first, { entities: [{ name: 'x', entityType: 't', observations: ['2'] }], relations: [] });
    assert.deepEqual(first.entities[0]!.observations, ['1']);
  });

  it('interleaves rankings tier by tier, taking the stores in turn, each name once in its best place', () => {
    const workdir = [['w1', 'w2', 'shared'], ['w3'], [], ['w4']];
    const user = [['shared', 'u1'], [], [], ['u2', 'w1']];
    assert.deepEqual(interleaveTiers([workdir, user]), ['w1', 'shared', 'w2', 'u1', 'w3', 'w4', 'u2']);
    assert.deepEqual(interleaveTiers([workdir]), ['w1', 'w2', 'shared', 'w3', 'w4']);
    assert.deepEqual(interleaveTiers([]), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { treeOrder } from '../../src/dashboard/delegation-tree.js';
import type { DelegationRow } from '../../src/state/run-queries.js';

/** A delegation row with only what the order depends on set meaningfully. */
function row(id: string, parentId: string | null, depth: number): DelegationRow {
  return {
    id,
    parent_id: parentId,
    agent: id,
    from_agent: null,
    depth,
    task: 't',
    status: null,
    stop_reason: null,
    summary: null,
    artifacts_json: null,
    turns: 0,
    cost_usd: 0,
    started_at: '2025-01-01T10:00:00Z',
    ended_at: null,
  };
}

describe('treeOrder', () => {
  it('puts each delegation right after its parent, children in start order, depth first', () => {
    // Start order: the two specialists started together, then each one's child.
    const rows = [row('o', null, 0), row('a', 'o', 1), row('b', 'o', 1), row('b1', 'b', 2), row('a1', 'a', 2)];
    assert.deepEqual(
      treeOrder(rows).map((delegation) => delegation.id),
      ['o', 'a', 'a1', 'b', 'b1'],
    );
  });

  it('keeps a delegation whose parent row is missing, as a root', () => {
    const rows = [row('o', null, 0), row('x', 'gone', 2), row('x1', 'x', 3)];
    assert.deepEqual(
      treeOrder(rows).map((delegation) => delegation.id),
      ['o', 'x', 'x1'],
    );
  });
});

import type { DelegationRow } from '../state/run-queries.js';

/**
 * The delegations in tree order: each one followed by its children (by `parent_id`), siblings in the order they
 * started, so the page draws a tree by indenting each row by its depth. The rows arrive in start order; a row whose
 * parent is not among them (a parent row not written yet) is drawn as a root rather than lost.
 */
export function treeOrder(rows: readonly DelegationRow[]): DelegationRow[] {
  const ids = new Set(rows.map((row) => row.id));
  const children = new Map<string | null, DelegationRow[]>();
  for (const row of rows) {
    const parent = row.parent_id !== null && ids.has(row.parent_id) ? row.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), row]);
  }
  const ordered: DelegationRow[] = [];
  const visit = (parent: string | null): void => {
    for (const child of children.get(parent) ?? []) {
      ordered.push(child);
      visit(child.id);
    }
  };
  visit(null);
  return ordered;
}

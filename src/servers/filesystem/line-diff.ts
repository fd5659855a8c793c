export type DiffOperation = { kind: 'equal' | 'delete' | 'insert'; line: string };

/** Beyond this many changed lines the middle is reported as one replacement (memory stays bounded). */
const maximumEditDistance = 4000;

/**
 * Line-level difference of `before` and `after` (Myers' O(ND) algorithm after trimming the common prefix and
 * suffix): the shortest sequence of kept, deleted and inserted lines that turns one into the other.
 */
export function diffLines(before: readonly string[], after: readonly string[]): DiffOperation[] {
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < before.length - prefix &&
    suffix < after.length - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  ) {
    suffix++;
  }
  const oldMiddle = before.slice(prefix, before.length - suffix);
  const newMiddle = after.slice(prefix, after.length - suffix);
  const middle = shortestEditScript(oldMiddle, newMiddle) ?? [
    ...oldMiddle.map((line) => ({ kind: 'delete' as const, line })),
    ...newMiddle.map((line) => ({ kind: 'insert' as const, line })),
  ];
  return [
    ...before.slice(0, prefix).map((line) => ({ kind: 'equal' as const, line })),
    ...middle,
    ...before.slice(before.length - suffix).map((line) => ({ kind: 'equal' as const, line })),
  ];
}

function shortestEditScript(before: readonly string[], after: readonly string[]): DiffOperation[] | undefined {
  const oldLength = before.length;
  const newLength = after.length;
  const maximum = oldLength + newLength;
  const offset = maximum + 1;
  // furthest[offset + k]: the furthest old-line index reached on diagonal k (k = x - y).
  const furthest = new Int32Array(2 * maximum + 3);
  // trace[d] holds diagonals -d-1 … d+1 as they were before round d, for walking back.
  const trace: Int32Array[] = [];
  for (let distance = 0; distance <= Math.min(maximum, maximumEditDistance); distance++) {
    trace.push(furthest.slice(offset - distance - 1, offset + distance + 2));
    for (let diagonal = -distance; diagonal <= distance; diagonal += 2) {
      const down = read(furthest, offset + diagonal + 1);
      const right = read(furthest, offset + diagonal - 1);
      let x = diagonal === -distance || (diagonal !== distance && right < down) ? down : right + 1;
      let y = x - diagonal;
      while (x < oldLength && y < newLength && before[x] === after[y]) {
        x++;
        y++;
      }
      furthest[offset + diagonal] = x;
      if (x >= oldLength && y >= newLength) return walkBack(trace, before, after);
    }
  }
  return undefined;
}

function walkBack(trace: readonly Int32Array[], before: readonly string[], after: readonly string[]): DiffOperation[] {
  const operations: DiffOperation[] = [];
  let x = before.length;
  let y = after.length;
  for (let distance = trace.length - 1; distance >= 0; distance--) {
    const snapshot = trace[distance] as Int32Array;
    const at = (diagonal: number): number => read(snapshot, diagonal + distance + 1);
    const diagonal = x - y;
    const previousDiagonal =
      diagonal === -distance || (diagonal !== distance && at(diagonal - 1) < at(diagonal + 1))
        ? diagonal + 1
        : diagonal - 1;
    const previousX = at(previousDiagonal);
    const previousY = previousX - previousDiagonal;
    while (x > previousX && y > previousY) {
      operations.push({ kind: 'equal', line: before[x - 1] as string });
      x--;
      y--;
    }
    if (distance > 0) {
      if (x === previousX) {
        operations.push({ kind: 'insert', line: after[y - 1] as string });
        y--;
      } else {
        operations.push({ kind: 'delete', line: before[x - 1] as string });
        x--;
      }
    }
  }
  return operations.reverse();
}

function read(values: Int32Array, index: number): number {
  return values[index] ?? 0;
}

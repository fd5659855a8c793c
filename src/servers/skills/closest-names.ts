/**
 * Up to `limit` of `candidates` near enough to `wanted` to be what was meant: a small edit distance (ignoring
 * case) or one name containing the other. Nearest first.
 */
export function closestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const target = wanted.toLowerCase();
  const tolerance = Math.max(2, Math.floor(target.length / 3));
  return [...new Set(candidates)]
    .map((candidate) => {
      const name = candidate.toLowerCase();
      const contains = target.length >= 3 && (name.includes(target) || target.includes(name));
      return { candidate, distance: contains ? 0 : editDistance(target, name) };
    })
    .filter((entry) => entry.distance <= tolerance)
    .sort((left, right) => left.distance - right.distance || (left.candidate < right.candidate ? -1 : 1))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

/** Levenshtein distance, one row. */
function editDistance(left: string, right: string): number {
  const row = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let leftIndex = 1; leftIndex <= left.length; leftIndex += 1) {
    let diagonal = row[0]!;
    row[0] = leftIndex;
    for (let rightIndex = 1; rightIndex <= right.length; rightIndex += 1) {
      const above = row[rightIndex]!;
      row[rightIndex] = Math.min(above + 1, row[rightIndex - 1]! + 1, diagonal + (left[leftIndex - 1] === right[rightIndex - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[right.length]!;
}

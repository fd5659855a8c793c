/** Candidates ordered by how close their names are to `target` (edit distance, ignoring case and a `provider/` prefix). */
export function closestModels(target: string, candidates: readonly string[], limit: number): string[] {
  const wanted = target.toLowerCase();
  const wantedBare = withoutPrefix(wanted);
  const scored = [...new Set(candidates)].map((candidate) => {
    const name = candidate.toLowerCase();
    const bare = withoutPrefix(name);
    let score = Math.min(editDistance(wanted, name), editDistance(wantedBare, bare));
    if (bare.includes(wantedBare) || wantedBare.includes(bare)) score -= 100;
    return { candidate, score };
  });
  scored.sort((left, right) => left.score - right.score || left.candidate.localeCompare(right.candidate));
  return scored.slice(0, limit).map((entry) => entry.candidate);
}

function withoutPrefix(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/** Levenshtein distance, two rows. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

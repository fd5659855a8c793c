import { editDistance } from '../config/edit-distance.js';

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

import { editDistance } from '../../config/edit-distance.js';

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

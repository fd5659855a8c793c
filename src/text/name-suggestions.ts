import { editDistance } from './edit-distance.js';

/** How `suggestNames` picks and orders what a person may have meant. */
export interface NameSuggestionOptions {
  /** Most names returned, nearest first; default 1. */
  limit?: number;
  /** The largest edit distance still suggested, given the wanted name's length; default: no bound (every name, ranked). */
  maxDistance?: (wantedLength: number) => number;
  /**
   * From this many characters of the wanted name, a name containing it (or contained in it) is suggested whatever its
   * distance, before the others; default: no such rule.
   */
  containmentFrom?: number;
  /** Also compare the names after their last `/`: a `provider/model` id against a bare model id. */
  ignorePrefix?: boolean;
}

/**
 * The "did you mean" of every error that names something unknown (a config key, a provider, a model, a skill, a
 * tool): the candidates nearest to `wanted` by edit distance, ignoring case; ties go to the name that sorts first.
 */
export function suggestNames(
  wanted: string,
  candidates: readonly string[],
  options: NameSuggestionOptions = {},
): string[] {
  const target = wanted.toLowerCase();
  const targetBare = options.ignorePrefix ? withoutPrefix(target) : target;
  const bound = options.maxDistance?.(wanted.length) ?? Infinity;
  return [...new Set(candidates)]
    .map((candidate) => {
      const name = candidate.toLowerCase();
      const bare = options.ignorePrefix ? withoutPrefix(name) : name;
      const distance = Math.min(editDistance(target, name), editDistance(targetBare, bare));
      const contains =
        options.containmentFrom !== undefined &&
        target.length >= options.containmentFrom &&
        (bare.includes(targetBare) || targetBare.includes(bare));
      return { candidate, distance, contains };
    })
    .filter((entry) => entry.contains || entry.distance <= bound)
    .sort(
      (left, right) =>
        Number(right.contains) - Number(left.contains) ||
        left.distance - right.distance ||
        compareCodeUnits(left.candidate, right.candidate),
    )
    .slice(0, options.limit ?? 1)
    .map((entry) => entry.candidate);
}

/** The one name nearest to `wanted`, when it is near enough to be a typo (a third of its length, at least 1). */
export function closestName(wanted: string, candidates: readonly string[]): string | undefined {
  return suggestNames(wanted, candidates, { maxDistance: (length) => Math.max(1, Math.floor(length / 3)) })[0];
}

function withoutPrefix(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash >= 0 ? name.slice(slash + 1) : name;
}

function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

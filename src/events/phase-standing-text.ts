import type { PhaseStanding } from './event-schema.js';

/** `2/3`: phases done of all; undefined for a goal without any "Done when" check (nothing to count). */
export function phaseFraction(standing: PhaseStanding): string | undefined {
  return standing.total === standing.unchecked ? undefined : `${standing.done}/${standing.total}`;
}

/** One line for a person: `2 of 3 phases done; first unmet: phase 3, line 34: … — …`. */
export function formatPhaseStanding(standing: PhaseStanding): string {
  if (phaseFraction(standing) === undefined) return 'no "Done when" checks';
  const head = `${standing.done} of ${standing.total} phase${standing.total === 1 ? '' : 's'} done`;
  const unmet = standing.first_unmet;
  return unmet
    ? `${head}; first unmet: phase ${unmet.phase}, line ${unmet.line}: ${unmet.text} — ${unmet.detail}`
    : head;
}

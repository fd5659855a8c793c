/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every machine. */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [minimum, maximum], both included. */
  integer(minimum: number, maximum: number): number;
  pick<Item>(items: readonly Item[]): Item;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    seed,
    next,
    integer: (minimum, maximum) => minimum + Math.floor(next() * (maximum - minimum + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}

/**
 * The seed of a randomised test: `variable` when set (a number, or "random" for a fresh one each time), else
 * `fixed`, so the suite is the same on every run. Print it with every failure so a failing sequence can be replayed.
 */
export function chooseSeed(variable: string, fixed: number): number {
  const given = process.env[variable];
  if (given === 'random') return Math.floor(Math.random() * 4_294_967_296);
  if (given !== undefined && given !== '') {
    const parsed = Number(given);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed >= 4_294_967_296)
      throw new Error(`${variable}=${given} is not a seed (an integer from 0 to 4294967295)`);
    return parsed;
  }
  return fixed;
}

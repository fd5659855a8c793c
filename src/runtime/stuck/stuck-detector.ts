import type { StuckPattern } from '../../events/event-schema.js';
import type { ObservedCall, ObservedTurn } from './observed-turn.js';

/** The thresholds in force for one agent (swarm.json limits.stuck, over which the agent's own `stuck` wins). */
export interface StuckThresholds {
  /** The same call answered the same way, or the same refused completion, this many times in a row; false: off. */
  repeatedCalls: number | false;
  /** Turns in a row without a new tool result; false: off. */
  idleTurns: number | false;
}

/** What an agent is doing that gets it nowhere, in words for the agent, the events and the report. */
export interface StuckSignal {
  pattern: StuckPattern;
  detail: string;
  /** The call it repeats, or `complete` for a refused completion; absent for turns without progress. */
  tool?: string;
  /** The refused completion's text (repeated_refusal only). */
  refusal?: { text: string; goalUnmet: boolean };
}

export type StuckVerdict = { action: 'none' } | { action: 'warn' | 'end'; signal: StuckSignal };

const SHOWN_ARGUMENTS = 160;

/**
 * Watches one agent's turns for work that goes nowhere: the same call with the same arguments answered with the same
 * result N times in a row, the same refused completion N times in a row, or M turns in a row without a new tool result
 * (no new file written, no new command run, nothing new read). A call whose result changes — polling a job that
 * moves — is progress. The first time a rule fires the agent is warned; if a rule fires again before it makes
 * progress, it is stuck. The state is only what its turns show, so replaying a transcript rebuilds it exactly.
 */
export class StuckDetector {
  readonly #thresholds: StuckThresholds;
  readonly #seen = new Set<string>();
  #lastCall: string | undefined;
  #repeats = 0;
  #repeatedCall: ObservedCall | undefined;
  #lastRefusal: string | undefined;
  #refusals = 0;
  #idleTurns = 0;
  #warned = false;

  constructor(thresholds: StuckThresholds) {
    this.#thresholds = thresholds;
  }

  /** Takes in one turn whose results are all known, and says whether the agent should be warned or stopped. */
  observe(turn: ObservedTurn): StuckVerdict {
    let progress = false;
    for (const call of turn.calls) {
      const key = `${call.name}\u0000${call.arguments}\u0000${call.result}`;
      if (!this.#seen.has(key)) {
        this.#seen.add(key);
        progress = true;
      }
      if (key === this.#lastCall) this.#repeats += 1;
      else {
        this.#lastCall = key;
        this.#repeats = 1;
        this.#repeatedCall = call;
      }
    }
    if (turn.refusal) {
      this.#refusals = !progress && turn.refusal.text === this.#lastRefusal ? this.#refusals + 1 : 1;
      this.#lastRefusal = turn.refusal.text;
    } else if (progress) {
      this.#refusals = 0;
      this.#lastRefusal = undefined;
    }
    this.#idleTurns = progress ? 0 : this.#idleTurns + 1;
    if (progress) this.#warned = false;

    const signal = this.#signal(turn);
    if (signal === undefined) return { action: 'none' };
    if (this.#warned) return { action: 'end', signal };
    this.#warned = true;
    return { action: 'warn', signal };
  }

  #signal(turn: ObservedTurn): StuckSignal | undefined {
    const { repeatedCalls, idleTurns } = this.#thresholds;
    if (repeatedCalls !== false && turn.refusal && this.#refusals >= repeatedCalls) {
      return {
        pattern: 'repeated_refusal',
        detail: `called complete ${this.#refusals} times in a row and was refused each time for the same reason, with no progress in between: ${firstLine(turn.refusal.text)}`,
        tool: 'complete',
        refusal: turn.refusal,
      };
    }
    const repeated = this.#repeatedCall;
    if (repeatedCalls !== false && repeated && turn.calls.length > 0 && this.#repeats >= repeatedCalls) {
      return {
        pattern: 'repeated_call',
        detail: `called ${repeated.name} ${clip(repeated.arguments, SHOWN_ARGUMENTS)} ${this.#repeats} times in a row and got the same result each time`,
        tool: repeated.name,
      };
    }
    if (idleTurns !== false && this.#idleTurns >= idleTurns) {
      return {
        pattern: 'no_progress',
        detail: `${this.#idleTurns} turns in a row without a new tool result (no new file written, no new command run, nothing new read)`,
      };
    }
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

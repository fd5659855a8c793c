import { ReplayDivergedError, type Divergence } from '../errors/replay-diverged-error.js';
import type { Cassette, CassetteModelCall, CassetteToolCall } from './cassette.js';

/**
 * The recorded model calls of a cassette by request hash (several calls asking the same are answered in their
 * recorded order), and its tool calls by tool and arguments; and the first divergence, once there is one.
 */
export class ReplayLibrary {
  private readonly calls = new Map<string, CassetteModelCall[]>();
  private readonly tools = new Map<string, CassetteToolCall[]>();
  /** Model calls answered from the recording so far. */
  answered = 0;
  /** Tool calls answered from the recording so far (`--tools recorded`). */
  toolsAnswered = 0;
  divergence: Divergence | undefined;

  constructor(
    readonly cassette: Cassette,
    toolKey: (call: CassetteToolCall) => string,
  ) {
    for (const call of cassette.modelCalls) {
      const queue = this.calls.get(call.hash) ?? [];
      queue.push(call);
      this.calls.set(call.hash, queue);
    }
    for (const call of cassette.toolCalls) {
      const key = toolKey(call);
      const queue = this.tools.get(key) ?? [];
      queue.push(call);
      this.tools.set(key, queue);
    }
  }

  /** The next recorded call that asked exactly this, taken (undefined: none left). */
  takeModelCall(hash: string): CassetteModelCall | undefined {
    const call = this.calls.get(hash)?.shift();
    if (call) this.answered += 1;
    return call;
  }

  /** The next recorded result of this tool call, taken. */
  takeToolCall(key: string): CassetteToolCall | undefined {
    const call = this.tools.get(key)?.shift();
    if (call) this.toolsAnswered += 1;
    return call;
  }

  /** Recorded model calls no request has asked for (yet). */
  get unanswered(): number {
    let count = 0;
    for (const queue of this.calls.values()) count += queue.length;
    return count;
  }

  /** Records the first divergence (later ones follow from it) and returns the error that ends the call. */
  diverge(divergence: Divergence): ReplayDivergedError {
    this.divergence ??= divergence;
    return new ReplayDivergedError(this.divergence);
  }
}

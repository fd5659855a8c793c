import type { ChatMessage } from '../../providers/chat-types.js';
import { lastToolCalls } from '../agent-transcript.js';
import { COMPLETE_TOOL_NAME, GOAL_UNMET_PREFIX, NOT_COMPLETED_PREFIX } from '../complete-tool.js';

/** One tool call of a turn and what it answered, as the no-progress detector compares them. */
export interface ObservedCall {
  name: string;
  /** The call's arguments, canonical JSON (key order does not matter). */
  arguments: string;
  /** The result the model was given, without what changes on every call although nothing happened (see comparableResult). */
  result: string;
}

/** One model turn as the no-progress detector sees it: its calls other than `complete`, and a refused completion. */
export interface ObservedTurn {
  calls: ObservedCall[];
  /** The turn's `complete` call was refused: its text (the first line names what is missing). */
  refusal?: { text: string; goalUnmet: boolean };
}

/**
 * The turns of a transcript whose tool results are all recorded, in order: the same reading serves a live turn
 * (just appended) and a resumed transcript (replayed), so a restart sees exactly what the live run saw. A reply
 * without tool calls is a turn without calls.
 */
export function observedTurns(messages: readonly ChatMessage[], fromIndex = 0): ObservedTurn[] {
  const turns: ObservedTurn[] = [];
  for (let index = fromIndex; index < messages.length; index += 1) {
    const message = messages[index]!;
    if (message.role !== 'assistant') continue;
    const calls = lastToolCalls(message);
    const results = new Map<string, string>();
    let next = index + 1;
    for (; next < messages.length && messages[next]!.role === 'tool'; next += 1) {
      const reply = messages[next] as { tool_call_id: string; content?: unknown };
      results.set(
        reply.tool_call_id,
        typeof reply.content === 'string' ? reply.content : JSON.stringify(reply.content ?? ''),
      );
    }
    // A turn cut off before its results were recorded is not observed: it is finished (and observed) when it resumes.
    if (calls.some((call) => !results.has(call.id))) break;
    const turn: ObservedTurn = { calls: [] };
    for (const call of calls) {
      const result = results.get(call.id)!;
      if (call.name === COMPLETE_TOOL_NAME) {
        if (result.startsWith(NOT_COMPLETED_PREFIX))
          turn.refusal = { text: result, goalUnmet: result.startsWith(GOAL_UNMET_PREFIX) };
        continue;
      }
      turn.calls.push({
        name: call.name,
        arguments: canonicalArguments(call.arguments),
        result: comparableResult(result),
      });
    }
    turns.push(turn);
    index = next - 1;
  }
  return turns;
}

/**
 * A result as compared with earlier ones: durations in milliseconds (`succeeded: exit code 0 (12 ms)`), the path a
 * long result was saved to, and the known fixes failure memory appends (their tallies change) do not make it new.
 */
export function comparableResult(text: string): string {
  const memory = text.indexOf('\n\n[mux-swarm memory]');
  const own = memory === -1 ? text : text.slice(0, memory);
  return own.replace(/\b\d+(?:\.\d+)? ?ms\b/g, '# ms').replace(/\S*results\/[A-Za-z0-9._-]+\.txt/g, '<saved result>');
}

function canonicalArguments(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text === '' ? '{}' : text)));
  } catch {
    return text;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

import type { ChatMessage } from '../providers/chat-types.js';
import { COMPLETE_TOOL_NAME, GOAL_UNMET_PREFIX } from './complete-tool.js';

/**
 * Whether an agent's last call of `complete` claimed success and was refused because the goal's checks failed: the
 * refusal's first line then (what it said was unmet), else undefined — also when its last completion was accepted,
 * or refused for another reason (missing artifacts).
 */
export function lastGoalRefusal(messages: readonly ChatMessage[]): string | undefined {
  const results = new Map<string, string>();
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role === 'tool' && typeof message.content === 'string')
      results.set(message.tool_call_id, message.content);
    if (message.role !== 'assistant' || !message.tool_calls) continue;
    const call = message.tool_calls.find(
      (entry) => entry.type === 'function' && entry.function.name === COMPLETE_TOOL_NAME,
    );
    if (!call) continue;
    const result = results.get(call.id);
    if (result === undefined) continue;
    return result.startsWith(GOAL_UNMET_PREFIX) ? (result.split('\n')[0] ?? result) : undefined;
  }
  return undefined;
}

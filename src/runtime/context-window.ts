import type { ChatMessage, ChatModel } from '../providers/chat-types.js';

/** A rough count good enough to stay under a context window: ~4 characters per token. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let characters = 0;
  for (const message of messages) {
    const content = (message as { content?: unknown }).content;
    characters += typeof content === 'string' ? content.length : JSON.stringify(content ?? '').length;
    const toolCalls = (message as { tool_calls?: unknown }).tool_calls;
    if (toolCalls) characters += JSON.stringify(toolCalls).length;
  }
  return Math.ceil(characters / 4);
}

const KEEP_RECENT = 6;
/** The system prompt and the task (indexes 0 and 1) are never trimmed. */
const FIRST_TRIMMABLE = 2;
const HEADROOM = 0.8;

/**
 * The window to fit `messages` to: swarm.json's `params.contextWindow`, else the model's own (the catalogue's). The
 * model is only asked once the transcript has something that could be trimmed, so a first call never waits for the
 * catalogue to load.
 */
export async function contextWindowFor(
  messages: readonly ChatMessage[],
  configured: number | undefined,
  model: Pick<ChatModel, 'contextWindow'>,
): Promise<number | undefined> {
  if (configured !== undefined) return configured;
  if (messages.length - KEEP_RECENT <= FIRST_TRIMMABLE) return undefined;
  return model.contextWindow?.();
}

/**
 * Returns the messages to send so the estimate stays under `contextWindow` × 0.8: the oldest tool results
 * (never the system prompt, the task, or the most recent messages) are replaced by a one-line stub, keeping
 * every tool call paired with its result. The stored transcript is left whole.
 */
export function fitToContextWindow(messages: readonly ChatMessage[], contextWindow: number | undefined): ChatMessage[] {
  if (contextWindow === undefined) return [...messages];
  const budget = contextWindow * HEADROOM;
  let estimate = estimateTokens(messages);
  const fitted = [...messages];
  const lastTrimmable = fitted.length - KEEP_RECENT;
  for (let index = FIRST_TRIMMABLE; index < lastTrimmable && estimate > budget; index += 1) {
    const message = fitted[index]!;
    if (message.role !== 'tool' || typeof message.content !== 'string' || message.content.length < 200) continue;
    const stub = `[earlier tool result of ${message.content.length} characters removed to fit the context window]`;
    fitted[index] = { ...message, content: stub };
    estimate -= (message.content.length - stub.length) / 4;
  }
  return fitted;
}

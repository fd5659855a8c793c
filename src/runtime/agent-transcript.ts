import type { ChatMessage, ToolCall } from '../providers/chat-types.js';
import { messageContentText } from '../providers/message-content.js';
import type { PlacedMessage, StoredMessage } from '../state/run-store.js';
import type { RunContext } from './run-context.js';

/**
 * One delegation's conversation with its model, kept in memory and in the journal at the same positions: a
 * resumed agent starts from exactly what the journal holds.
 */
export class AgentTranscript {
  readonly messages: ChatMessage[];

  constructor(
    private readonly run: RunContext,
    private readonly delegationId: string,
    recorded: readonly ChatMessage[] = [],
  ) {
    this.messages = [...recorded];
  }

  /** Appends messages, journaled in one transaction. */
  append(...messages: ChatMessage[]): void {
    const placed = messages.map((message, index) => this.place(message, this.messages.length + index));
    this.run.store.appendMessages(placed);
    this.messages.push(...messages);
  }

  /** Where `message` goes next, for a caller that journals it itself (with the model call it answers). */
  placeNext(message: ChatMessage): PlacedMessage {
    return this.place(message, this.messages.length);
  }

  /** Adds a message the caller journaled through `placeNext`. */
  pushJournaled(message: ChatMessage): void {
    this.messages.push(message);
  }

  /** Model turns taken so far: one assistant message each. */
  get turns(): number {
    return this.messages.filter((message) => message.role === 'assistant').length;
  }

  private place(message: ChatMessage, index: number): PlacedMessage {
    return {
      runId: this.run.runId,
      delegationId: this.delegationId,
      seq: index + 1,
      message: toStored(message),
      createdAt: this.run.isoNow(),
    };
  }
}

function toStored(message: ChatMessage): StoredMessage {
  const record = message as { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string };
  return {
    role: record.role,
    content: messageContentText(record.content),
    toolCalls: record.tool_calls,
    toolCallId: record.tool_call_id,
  };
}

/** The text of the newest assistant message that had some. */
export function lastAssistantText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role === 'assistant' && typeof message.content === 'string' && message.content !== '')
      return message.content;
  }
  return '';
}

/** The newest assistant message (a placeholder without tool calls when there is none). */
export function lastAssistantMessage(messages: readonly ChatMessage[]): ChatMessage {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]!.role === 'assistant') return messages[index]!;
  }
  return { role: 'assistant', content: '' };
}

/** The tool calls of an assistant message, as the runtime runs them. */
export function lastToolCalls(message: ChatMessage): ToolCall[] {
  if (message.role !== 'assistant' || !message.tool_calls) return [];
  return message.tool_calls.flatMap((call) =>
    call.type === 'function' ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : [],
  );
}

/** Assistant replies without tool calls at the end of the transcript, nudges in between not counting. */
export function trailingRepliesWithoutTools(messages: readonly ChatMessage[]): number {
  let count = 0;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role === 'assistant') {
      if (message.tool_calls && message.tool_calls.length > 0) break;
      count += 1;
    } else if (message.role !== 'user') break;
  }
  return count;
}

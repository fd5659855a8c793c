import type { FakeChatBody, FakeChatMessage } from './fake-openai-replies.js';

/**
 * Which chat requests a routed queue answers: every given field must hold (an empty object matches all).
 * - `model`: the request's model equals it.
 * - `systemIncludes`: some system (or developer) message contains it.
 * - `lastUserIncludes`: the last user message contains it.
 * - `toolResultIncludes`: one of the latest tool results (the tool messages after the last assistant message)
 *   contains it — i.e. the request that answers a tool call.
 * Or any predicate over the parsed request body.
 */
export type RouteMatch =
  | { model?: string; systemIncludes?: string; lastUserIncludes?: string; toolResultIncludes?: string }
  | ((body: FakeChatBody) => boolean);

export function matchesRoute(match: RouteMatch, body: FakeChatBody): boolean {
  if (typeof match === 'function') return match(body);
  const messages = body.messages;
  if (match.model !== undefined && body.model !== match.model) return false;
  if (match.systemIncludes !== undefined) {
    const systems = messages.filter((message) => message.role === 'system' || message.role === 'developer');
    if (!systems.some((message) => messageText(message).includes(match.systemIncludes ?? ''))) return false;
  }
  if (match.lastUserIncludes !== undefined) {
    const lastUser = messages.findLast((message) => message.role === 'user');
    if (!lastUser || !messageText(lastUser).includes(match.lastUserIncludes)) return false;
  }
  if (match.toolResultIncludes !== undefined) {
    if (!latestToolResults(messages).some((message) => messageText(message).includes(match.toolResultIncludes ?? '')))
      return false;
  }
  return true;
}

/** Tool messages after the last assistant message (other roles in between are skipped). */
export function latestToolResults(messages: FakeChatMessage[]): FakeChatMessage[] {
  const lastAssistant = messages.findLastIndex((message) => message.role === 'assistant');
  return messages.slice(lastAssistant + 1).filter((message) => message.role === 'tool');
}

/** A message's text: the string content, or its text parts joined. */
export function messageText(message: FakeChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('');
}

/** A short description of a request, for the unmatched report: model, last user text, tool results. */
export function describeChatBody(body: FakeChatBody): string {
  const lastUser = body.messages.findLast((message) => message.role === 'user');
  const toolResults = latestToolResults(body.messages);
  const parts = [`model=${JSON.stringify(body.model)}`];
  if (lastUser) parts.push(`last user=${JSON.stringify(messageText(lastUser).slice(0, 80))}`);
  if (toolResults.length > 0) parts.push(`tool results=${toolResults.length}`);
  return parts.join(', ');
}

import { randomUUID } from 'node:crypto';

/** An id for a tool call the endpoint gave none (some local servers, calls recovered from text). */
export function newToolCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

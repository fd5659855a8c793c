import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A successful tool result holding one text block. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/** A tool result the model sees as a failure (`isError: true`) with a message it can act on. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

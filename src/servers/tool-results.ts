import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../errors/mux-swarm-error.js';

/** A successful tool result holding one text block. */
export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

/** A tool result the model sees as a failure (`isError: true`) with a message it can act on. */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a tool's work; anything it throws becomes an error result with the error's own message. */
export async function guarded(work: () => CallToolResult | Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return errorResult(describeError(error));
  }
}

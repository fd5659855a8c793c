import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError } from '../../errors/mux-swarm-error.js';
import { errorResult } from '../tool-results.js';
import { fileOperationFailure } from './file-operation-failure.js';

export { errorResult, textResult } from '../tool-results.js';

/**
 * Wraps a tool handler so that anything it throws comes back as an `isError` result: mux-swarm errors with their
 * own message, operating-system errors explained for `action` on the path `describePath` names.
 */
export function guardedHandler<Arguments>(
  action: string,
  describePath: (input: Arguments) => string,
  handler: (input: Arguments, signal: AbortSignal | undefined) => Promise<CallToolResult>,
): (input: Arguments, extra: { signal?: AbortSignal }) => Promise<CallToolResult> {
  return async (input, extra) => {
    try {
      return await handler(input, extra.signal);
    } catch (error) {
      return errorResult(describeError(fileOperationFailure(error, action, describePath(input))));
    }
  };
}

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describeError, isMuxSwarmError } from '../../errors/mux-swarm-error.js';
import { errorResult } from '../tool-results.js';

/** A result as @modelcontextprotocol/server-memory returns it: the value as indented JSON text and as structured content. */
export function jsonResult(value: unknown, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: structured };
}

/** The reply of the delete tools: `{success: true, message}` and the message as text. */
export function successResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], structuredContent: { success: true, message } };
}

/**
 * The result with a note for the agent after it, as a second text block: the first block and the structured
 * content stay exactly what the reference server returns. No note, the result as it is.
 */
export function withNote(result: CallToolResult, note: string | undefined): CallToolResult {
  return note === undefined ? result : { ...result, content: [...result.content, { type: 'text', text: note }] };
}

export interface MemoryToolContext {
  toolName: string;
  /** The database file, named in failure messages. */
  databasePath: string;
  /** Whether the tool writes: its failure message then says that nothing of the call was kept. */
  writes: boolean;
}

/**
 * Runs a tool's work and turns anything it throws into an `isError` result: mux-swarm errors with their own
 * message, anything else (a SQLite failure) with the tool, the database and what to do.
 */
export function runMemoryTool(context: MemoryToolContext, work: () => CallToolResult): CallToolResult {
  try {
    return work();
  } catch (error) {
    const message = isMuxSwarmError(error)
      ? error.message
      : `${context.toolName} failed on the knowledge graph database ${context.databasePath}: ${describeError(error)}.` +
        (context.writes ? ' Nothing of this call was saved (each call is one transaction).' : '') +
        ' Retry the call; if it fails again, check that the database file is readable and writable.';
    return errorResult(message);
  }
}

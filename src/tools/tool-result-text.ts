/** The parts of an MCP CallToolResult the hub reads. */
export interface McpToolResult {
  content?: Array<Record<string, unknown>>;
  structuredContent?: unknown;
  isError?: boolean;
  toolResult?: unknown;
}

/**
 * Text a model can read for an MCP tool result: text blocks joined, other blocks described in one line, the
 * structured content as JSON when there is no text at all.
 */
export function toolResultText(result: McpToolResult): string {
  const parts: string[] = [];
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        parts.push(String(block.text ?? ''));
        break;
      case 'image':
      case 'audio':
        parts.push(`[${block.type}: ${String(block.mimeType ?? 'unknown type')}, ${Math.round((String(block.data ?? '').length * 3) / 4)} bytes]`);
        break;
      case 'resource': {
        const resource = (block.resource ?? {}) as Record<string, unknown>;
        parts.push(typeof resource.text === 'string' ? resource.text : `[resource ${String(resource.uri ?? '')}]`);
        break;
      }
      case 'resource_link':
        parts.push(`[resource link ${String(block.uri ?? '')}${block.name ? ` (${String(block.name)})` : ''}]`);
        break;
      default:
        parts.push(`[${String(block.type)} content]`);
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent, null, 2);
  if (parts.length === 0 && result.toolResult !== undefined) return JSON.stringify(result.toolResult, null, 2);
  return parts.join('\n');
}

/** The parts of an MCP CallToolResult the hub reads. */
export interface McpToolResult {
  content?: Array<Record<string, unknown>>;
  structuredContent?: unknown;
  isError?: boolean;
  toolResult?: unknown;
}

/**
 * Text a model can read for an MCP tool result: text blocks joined, other blocks described in one line, the
 * structured content as JSON when no block carries text (after the descriptions of images and the like).
 */
export function toolResultText(result: McpToolResult): string {
  const parts: string[] = [];
  let hasText = false;
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        hasText = true;
        parts.push(String(block.text ?? ''));
        break;
      case 'image':
      case 'audio':
        parts.push(
          `[${block.type}: ${String(block.mimeType ?? 'unknown type')}, ${base64ByteLength(String(block.data ?? ''))} bytes]`,
        );
        break;
      case 'resource': {
        const resource = (block.resource ?? {}) as Record<string, unknown>;
        hasText ||= typeof resource.text === 'string';
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
  if (!hasText && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  else if (parts.length === 0 && result.toolResult !== undefined)
    parts.push(JSON.stringify(result.toolResult, null, 2));
  return parts.join('\n');
}

/** Bytes encoded by a base64 string, padding and line breaks not counted. */
function base64ByteLength(data: string): number {
  const digits = data.replace(/[^A-Za-z0-9+/_-]/g, '');
  return Math.floor((digits.length * 3) / 4);
}

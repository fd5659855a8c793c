import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PathGuard } from '../path-guard.js';
import { readTextFileHandler, readTextFileShape } from './read-text-file.js';
import { readOnlyAnnotations } from './tool-arguments.js';

/** read_file: the reference server's deprecated alias of read_text_file. */
export function registerReadFileTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'read_file',
    {
      title: 'Read File (Deprecated)',
      description:
        'Read the complete contents of a file as text. DEPRECATED: use read_text_file, which takes the same arguments.',
      inputSchema: readTextFileShape,
      annotations: readOnlyAnnotations,
    },
    readTextFileHandler(guard),
  );
}

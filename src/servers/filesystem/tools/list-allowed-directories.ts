import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PathGuard } from '../path-guard.js';
import { textResult } from '../tool-result.js';
import { readOnlyAnnotations } from './tool-arguments.js';

/** list_allowed_directories: the roots, so that the agent need not guess paths. */
export function registerListAllowedDirectoriesTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'list_allowed_directories',
    {
      title: 'List Allowed Directories',
      description:
        'The directories this server may access; everything beneath them is accessible too, nothing else is. ' +
        'Relative paths are resolved against the first. Call this before guessing paths.',
      inputSchema: {},
      annotations: readOnlyAnnotations,
    },
    async () => textResult(`Allowed directories:\n${guard.roots.join('\n')}`),
  );
}

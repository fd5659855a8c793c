import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { pathOnlyFlags } from '../descriptor-path.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { filePathArgument, readOnlyAnnotations } from './tool-arguments.js';

/** get_file_info: size, times, kind and permissions of a file or directory, without reading it. */
export function registerGetFileInfoTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'get_file_info',
    {
      title: 'Get File Info',
      description:
        'Metadata of a file or directory without reading it: size in bytes, created, modified and accessed ' +
        'times (ISO 8601), isDirectory, isFile, and permissions (octal, e.g. 644).',
      inputSchema: { path: filePathArgument },
      annotations: readOnlyAnnotations,
    },
    guardedHandler(
      'get information on',
      (input) => input.path,
      async (input) => {
        const { handle, path: filePath } = await guard.openExisting(input.path, pathOnlyFlags);
        let stats;
        try {
          stats = await handle.stat();
        } finally {
          await handle.close();
        }
        const info = {
          path: filePath,
          size: stats.size,
          created: stats.birthtime.toISOString(),
          modified: stats.mtime.toISOString(),
          accessed: stats.atime.toISOString(),
          isDirectory: stats.isDirectory(),
          isFile: stats.isFile(),
          permissions: (stats.mode & 0o777).toString(8).padStart(3, '0'),
        };
        return textResult(
          Object.entries(info)
            .map(([key, value]) => `${key}: ${String(value)}`)
            .join('\n'),
        );
      },
    ),
  );
}

import fs from 'node:fs/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { entryKind, readSortedEntries } from '../directory-entries.js';
import { formatSize } from '../format-size.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { entryTags, inDirectory } from './in-directory.js';
import { directoryArgument, readOnlyAnnotations } from './tool-arguments.js';

/** list_directory_with_sizes: one directory's entries with file sizes and totals. */
export function registerListDirectoryWithSizesTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'list_directory_with_sizes',
    {
      title: 'List Directory with Sizes',
      description:
        'List the entries of one directory with file sizes, prefixed [FILE], [DIR] or [LINK], followed by totals. ' +
        'sortBy "size" puts the largest first; "name" (default) sorts alphabetically.',
      inputSchema: {
        path: directoryArgument,
        sortBy: z.enum(['name', 'size']).optional().default('name').describe('Sort entries by name or size'),
      },
      annotations: readOnlyAnnotations,
    },
    guardedHandler(
      'list',
      (input) => input.path,
      async (input) => {
        const entries = await inDirectory(guard, input.path, async (directory) =>
          Promise.all(
            (await readSortedEntries(directory)).map(async (entry) => {
              const kind = entryKind(entry);
              const stats = await fs.lstat(directory.entryPath(entry.name)).catch(() => undefined);
              return { name: entry.name, kind, size: kind === 'file' ? (stats?.size ?? 0) : 0 };
            }),
          ),
        );
        if (input.sortBy === 'size') entries.sort((left, right) => right.size - left.size);
        const lines = entries.map((entry) =>
          `${entryTags[entry.kind]} ${entry.name.padEnd(30)} ${entry.kind === 'file' ? formatSize(entry.size).padStart(10) : ''}`.trimEnd(),
        );
        const files = entries.filter((entry) => entry.kind === 'file').length;
        const directories = entries.filter((entry) => entry.kind === 'directory').length;
        const total = entries.reduce((sum, entry) => sum + entry.size, 0);
        lines.push('', `Total: ${files} files, ${directories} directories`, `Combined size: ${formatSize(total)}`);
        return textResult(lines.join('\n'));
      },
    ),
  );
}

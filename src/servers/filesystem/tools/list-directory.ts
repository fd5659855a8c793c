import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { entryKind, readSortedEntries } from '../directory-entries.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { entryTags, inDirectory } from './in-directory.js';
import { directoryArgument, readOnlyAnnotations } from './tool-arguments.js';

/** list_directory: one directory's entries, sorted by name and tagged by kind. */
export function registerListDirectoryTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'list_directory',
    {
      title: 'List Directory',
      description:
        'List the entries of one directory (not recursive), one per line, sorted by name and prefixed [FILE], ' +
        '[DIR], or [LINK] for a symbolic link. Use directory_tree or search_files to look deeper.',
      inputSchema: { path: directoryArgument },
      annotations: readOnlyAnnotations,
    },
    guardedHandler(
      'list',
      (input) => input.path,
      async (input) => {
        const entries = await inDirectory(guard, input.path, readSortedEntries);
        if (entries.length === 0) return textResult(`Directory ${input.path} is empty.`);
        return textResult(entries.map((entry) => `${entryTags[entryKind(entry)]} ${entry.name}`).join('\n'));
      },
    ),
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { buildDirectoryTree } from '../directory-tree.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { inDirectory } from './in-directory.js';
import { directoryArgument, excludePatternsArgument, readOnlyAnnotations } from './tool-arguments.js';

const maximumTreeEntries = 5_000;

/** directory_tree: a directory's tree as JSON, links not followed, cut at maximumTreeEntries. */
export function registerDirectoryTreeTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'directory_tree',
    {
      title: 'Directory Tree',
      description:
        'Recursive tree of a directory as JSON (2-space indented): an array of {"name", "type"} where type is ' +
        '"file", "directory" or "symlink"; directories have a "children" array (possibly empty). Symbolic links ' +
        `are not followed. Use excludePatterns to skip bulky folders; at most ${maximumTreeEntries} entries are returned.`,
      inputSchema: { path: directoryArgument, excludePatterns: excludePatternsArgument },
      annotations: readOnlyAnnotations,
    },
    guardedHandler(
      'list',
      (input) => input.path,
      async (input, signal) => {
        const tree = await inDirectory(guard, input.path, (directory) =>
          buildDirectoryTree(directory, {
            excludePatterns: input.excludePatterns,
            maximumEntries: maximumTreeEntries,
            signal,
          }),
        );
        const text = JSON.stringify(tree.entries, null, 2);
        if (!tree.truncated) return textResult(text);
        return {
          content: [
            { type: 'text', text },
            {
              type: 'text',
              text: `Truncated after ${maximumTreeEntries} entries. Call directory_tree on a subdirectory or add excludePatterns.`,
            },
          ],
        };
      },
    ),
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PathGuard } from './path-guard.js';
import { registerDirectoryTreeTool } from './tools/directory-tree.js';
import { registerListDirectoryWithSizesTool } from './tools/list-directory-with-sizes.js';
import { registerListDirectoryTool } from './tools/list-directory.js';
import { registerSearchFilesTool } from './tools/search-files.js';

/** list_directory, list_directory_with_sizes, directory_tree, search_files. */
export function registerListingTools(server: McpServer, guard: PathGuard): void {
  registerListDirectoryTool(server, guard);
  registerListDirectoryWithSizesTool(server, guard);
  registerDirectoryTreeTool(server, guard);
  registerSearchFilesTool(server, guard);
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PathGuard } from './path-guard.js';
import { registerCreateDirectoryTool } from './tools/create-directory.js';
import { registerEditFileTool } from './tools/edit-file.js';
import { registerMoveFileTool } from './tools/move-file.js';
import { registerWriteFileTool } from './tools/write-file.js';

/** write_file, edit_file, create_directory, move_file: registered only when the server is not read-only. */
export function registerWriteTools(server: McpServer, guard: PathGuard): void {
  registerWriteFileTool(server, guard);
  registerEditFileTool(server, guard);
  registerCreateDirectoryTool(server, guard);
  registerMoveFileTool(server, guard);
}

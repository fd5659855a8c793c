import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PathGuard } from './path-guard.js';
import { registerGetFileInfoTool } from './tools/get-file-info.js';
import { registerListAllowedDirectoriesTool } from './tools/list-allowed-directories.js';
import { registerReadFileTool } from './tools/read-file.js';
import { registerReadMediaFileTool } from './tools/read-media-file.js';
import { registerReadMultipleFilesTool } from './tools/read-multiple-files.js';
import { registerReadTextFileTool } from './tools/read-text-file.js';

/** read_text_file, read_file (its deprecated alias), read_media_file, read_multiple_files, get_file_info. */
export function registerReadTools(server: McpServer, guard: PathGuard): void {
  registerReadTextFileTool(server, guard);
  registerReadFileTool(server, guard);
  registerReadMediaFileTool(server, guard);
  registerReadMultipleFilesTool(server, guard);
  registerGetFileInfoTool(server, guard);
  registerListAllowedDirectoriesTool(server, guard);
}

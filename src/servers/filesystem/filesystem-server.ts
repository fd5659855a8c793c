import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerListingTools } from './listing-tools.js';
import { PathGuard } from './path-guard.js';
import { registerReadTools } from './read-tools.js';
import { registerWriteTools } from './write-tools.js';

export interface FilesystemServerOptions {
  /** Directories the tools may touch: absolute, relative to process.cwd(), or `~/…`. The first is the base for relative paths. */
  roots: string[];
  /** Register only the tools that read (no write_file, edit_file, create_directory, move_file). */
  readOnly?: boolean;
}

const serverVersion = '0.1.0';

/**
 * The built-in filesystem MCP server: the tools of @modelcontextprotocol/server-filesystem, with the same names
 * and arguments, confined to `roots`. Roots are resolved to real paths now; a missing root or one that is not a
 * directory throws FilesystemRootError. Connect the result to a transport (in-process: InMemoryTransport).
 */
export async function createFilesystemServer(options: FilesystemServerOptions): Promise<McpServer> {
  const guard = await PathGuard.create(options.roots);
  const readOnly = options.readOnly ?? false;
  const server = new McpServer(
    { name: 'filesystem', version: serverVersion },
    {
      instructions:
        `File access confined to these directories: ${guard.roots.join(', ')}. ` +
        `Relative paths are resolved against ${guard.roots[0] ?? ''}.` +
        (readOnly ? ' This server is read-only: it cannot create, change or move files.' : ''),
    },
  );
  registerReadTools(server, guard);
  registerListingTools(server, guard);
  if (!readOnly) registerWriteTools(server, guard);
  return server;
}

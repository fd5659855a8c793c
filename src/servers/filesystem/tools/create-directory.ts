import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { fileOperationRefusal } from '../file-operation-failure.js';
import { OpenDirectory } from '../open-directory.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { writePathArgument } from './tool-arguments.js';

/** create_directory: mkdir -p inside the roots. */
export function registerCreateDirectoryTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'create_directory',
    {
      title: 'Create Directory',
      description:
        'Create a directory, with any missing parents (like mkdir -p). Succeeds if the directory already exists; ' +
        'fails if a file is there.',
      inputSchema: { path: writePathArgument },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guardedHandler(
      'create directory',
      (input) => input.path,
      async (input) => {
        const target = await guard.resolveWriteTarget(input.path, { refuseHardLinks: false });
        if (target.stats !== undefined) {
          if (target.stats.isDirectory()) return textResult(`Directory already exists: ${input.path}`);
          throw fileOperationRefusal(
            input.path,
            'EEXIST',
            `Cannot create directory ${JSON.stringify(input.path)}: a file already exists there. Choose another name.`,
          );
        }
        const directory = await OpenDirectory.openCreating(guard, input.path, target.path, target.missingComponents);
        await directory.close();
        return textResult(`Successfully created directory ${input.path}`);
      },
    ),
  );
}

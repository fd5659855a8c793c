import fs from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PathNotFoundError } from '../../../errors/path-not-found-error.js';
import { fileOperationFailure, fileOperationRefusal } from '../file-operation-failure.js';
import { OpenDirectory } from '../open-directory.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';

/** move_file: renames a file or directory inside the roots, never over an existing path. */
export function registerMoveFileTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'move_file',
    {
      title: 'Move File',
      description:
        'Move or rename a file or directory. Both paths must be inside the allowed directories; the destination ' +
        'must not exist yet (nothing is overwritten) and its parent directory must exist (see create_directory). ' +
        'Symbolic links cannot be moved.',
      inputSchema: {
        source: z.string().describe('Existing file or directory to move'),
        destination: z.string().describe('New path, which must not exist yet'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guardedHandler(
      'move',
      (input) => input.source,
      async (input) => {
        const source = await guard.resolveWriteTarget(input.source, { refuseHardLinks: false });
        if (source.stats === undefined) throw new PathNotFoundError(input.source, source.path);
        if (guard.holdsRoot(source.path)) {
          throw fileOperationRefusal(
            input.source,
            'root',
            `Cannot move ${JSON.stringify(input.source)}: it is, or contains, an allowed root directory.`,
          );
        }
        const destination = await guard.resolveWriteTarget(input.destination, { refuseHardLinks: false });
        if (destination.stats !== undefined) {
          throw fileOperationRefusal(
            input.destination,
            'EEXIST',
            `Cannot move ${JSON.stringify(input.source)} to ${JSON.stringify(input.destination)}: the destination already exists. ` +
              'Choose a path that does not exist yet.',
          );
        }
        if (destination.missingComponents > 1) {
          throw fileOperationRefusal(
            input.destination,
            'ENOENT',
            `Cannot move to ${JSON.stringify(input.destination)}: its parent directory ${path.dirname(destination.path)} ` +
              'does not exist. Create it with create_directory first.',
          );
        }
        const sourceDirectory = await OpenDirectory.open(guard, input.source, path.dirname(source.path));
        try {
          const destinationDirectory = await OpenDirectory.open(
            guard,
            input.destination,
            path.dirname(destination.path),
          );
          try {
            await fs.rename(
              sourceDirectory.entryPath(path.basename(source.path)),
              destinationDirectory.entryPath(path.basename(destination.path)),
            );
          } catch (error) {
            throw fileOperationFailure(error, `move ${JSON.stringify(input.source)} to`, input.destination);
          } finally {
            await destinationDirectory.close();
          }
        } finally {
          await sourceDirectory.close();
        }
        return textResult(`Successfully moved ${input.source} to ${input.destination}`);
      },
    ),
  );
}

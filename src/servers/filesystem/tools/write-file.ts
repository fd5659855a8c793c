import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-write.js';
import { OpenDirectory } from '../open-directory.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { writePathArgument } from './tool-arguments.js';
import { requireFile, requireWritable } from './write-target-checks.js';

/** write_file: creates or replaces a whole file, atomically, with missing parents created. */
export function registerWriteFileTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'write_file',
    {
      title: 'Write File',
      description:
        "Create a file, or replace an existing file's whole content, with the given UTF-8 text. Missing parent " +
        'directories are created. The write is atomic (a temporary file renamed into place). Overwrites without ' +
        'warning: use edit_file to change part of a file. Refuses symbolic links and hard-linked files.',
      inputSchema: { path: writePathArgument, content: z.string().describe('The complete new content of the file') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guardedHandler(
      'write',
      (input) => input.path,
      async (input) => {
        const target = await guard.resolveWriteTarget(input.path, { refuseHardLinks: true });
        if (target.stats !== undefined) requireFile(input.path, target);
        const name = path.basename(target.path);
        const parent = path.dirname(target.path);
        const missingParents = Math.max(0, target.missingComponents - 1);
        const directory = await OpenDirectory.openCreating(guard, input.path, parent, missingParents);
        try {
          if (target.stats !== undefined) await requireWritable(directory, name);
          await writeFileAtomic(directory, name, input.content, {
            mode: target.stats === undefined ? undefined : target.stats.mode & 0o777,
          });
        } finally {
          await directory.close();
        }
        const created = missingParents > 0 ? ` (created directory ${parent})` : '';
        const bytes = Buffer.byteLength(input.content, 'utf8');
        return textResult(`Successfully wrote ${bytes} bytes to ${input.path}${created}`);
      },
    ),
  );
}

import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { UnsafeWriteTargetError } from '../../../errors/unsafe-write-target-error.js';
import { applyEdits } from '../apply-edits.js';
import { writeFileAtomic } from '../atomic-write.js';
import { pathOnlyFlags, reopenForReading } from '../descriptor-path.js';
import { fileOperationRefusal, isErrnoCode } from '../file-operation-failure.js';
import { OpenDirectory } from '../open-directory.js';
import type { PathGuard } from '../path-guard.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { createUnifiedDiff } from '../unified-diff.js';
import { writePathArgument } from './tool-arguments.js';
import { requireFile, requireWritable } from './write-target-checks.js';

/** edit_file: text replacements applied all or none, answered with a unified diff. */
export function registerEditFileTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'edit_file',
    {
      title: 'Edit File',
      description:
        'Replace text in a file. Each edit replaces the first occurrence of oldText with newText, in order, each ' +
        'applied to the result of the previous ones; if oldText is not found exactly, a run of lines equal to it ' +
        "apart from indentation and trailing spaces is replaced, keeping the file's indentation. All edits apply or " +
        'none do: an edit whose oldText matches nowhere fails, naming its index. Returns a git-style unified diff. ' +
        'Use dryRun: true to preview the diff without writing. Include enough surrounding lines in oldText to make it unique.',
      inputSchema: {
        path: writePathArgument,
        edits: z
          .array(
            z.object({
              oldText: z.string().describe('Text to search for - must match exactly'),
              newText: z.string().describe('Text to replace with'),
            }),
          )
          .min(1, 'Give at least one edit')
          .describe('Replacements, applied in order'),
        dryRun: z.boolean().default(false).describe('Preview changes using git-style diff format'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    guardedHandler(
      'edit',
      (input) => input.path,
      async (input) => {
        const target = await guard.resolveWriteTarget(input.path, { refuseHardLinks: true });
        requireFile(input.path, target);
        const name = path.basename(target.path);
        const directory = await OpenDirectory.open(guard, input.path, path.dirname(target.path));
        try {
          await requireWritable(directory, name);
          const content = await readEditedFile(directory, input.path, name);
          const edited = applyEdits(content, input.edits, target.path);
          const diff = fenceDiff(createUnifiedDiff(edited.original, edited.modified, target.path));
          if (input.dryRun) return textResult(`Dry run: nothing was written.\n${diff}`);
          if (edited.modified !== edited.original) {
            const text = edited.usesCrlf ? edited.modified.replace(/\n/g, '\r\n') : edited.modified;
            await writeFileAtomic(directory, name, text, { mode: target.stats.mode & 0o777 });
          }
          return textResult(diff);
        } finally {
          await directory.close();
        }
      },
    ),
  );
}

/**
 * The text of the file `name` in `directory`, for edit_file: opened without following a link (a link swapped
 * in since the check is refused), its descriptor checked, and read only if it is still a regular file.
 */
async function readEditedFile(directory: OpenDirectory, requested: string, name: string): Promise<string> {
  let handle;
  try {
    handle = await directory.openEntry(name, pathOnlyFlags);
  } catch (error) {
    if (isErrnoCode(error, 'ELOOP')) throw new UnsafeWriteTargetError(requested, 'symbolic-link');
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isSymbolicLink()) throw new UnsafeWriteTargetError(requested, 'symbolic-link');
    if (!stats.isFile()) {
      throw fileOperationRefusal(
        requested,
        'special',
        `Cannot change ${JSON.stringify(requested)}: it is not a regular file.`,
      );
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  const readable = await reopenForReading(handle);
  try {
    return await readable.readFile({ encoding: 'utf8' });
  } finally {
    await readable.close();
  }
}

/** Fences a diff with more backticks than it contains, as the reference server does. */
function fenceDiff(diff: string): string {
  let fence = '```';
  while (diff.includes(fence)) fence += '`';
  return `${fence}diff\n${diff}${fence}\n\n`;
}

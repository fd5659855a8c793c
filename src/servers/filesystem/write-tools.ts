import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PathNotFoundError } from '../../errors/path-not-found-error.js';
import { UnsafeWriteTargetError } from '../../errors/unsafe-write-target-error.js';
import { applyEdits } from './apply-edits.js';
import { writeFileAtomic } from './atomic-write.js';
import { pathOnlyFlags, reopenForReading } from './descriptor-path.js';
import { fileOperationFailure, fileOperationRefusal, isErrnoCode } from './file-operation-failure.js';
import { OpenDirectory } from './open-directory.js';
import type { PathGuard, WriteTarget } from './path-guard.js';
import { guardedHandler, textResult } from './tool-result.js';
import { createUnifiedDiff } from './unified-diff.js';

const pathArgument = z
  .string()
  .describe('Path: absolute, or relative to the first allowed directory. Must lie inside an allowed directory.');

/** The target must be an existing regular file (edit_file). */
function requireFile(requested: string, target: WriteTarget): asserts target is WriteTarget & { stats: NonNullable<WriteTarget['stats']> } {
  if (target.stats === undefined) throw new PathNotFoundError(requested, target.path);
  if (target.stats.isDirectory()) {
    throw fileOperationRefusal(requested, 'EISDIR', `Cannot change ${JSON.stringify(requested)}: it is a directory, not a file.`);
  }
  if (!target.stats.isFile()) {
    throw fileOperationRefusal(requested, 'special', `Cannot change ${JSON.stringify(requested)}: it is not a regular file.`);
  }
}

/**
 * The atomic rename would replace a file even where its permissions forbid writing it; honour them instead
 * (throws EACCES, which the handler explains).
 */
async function requireWritable(directory: OpenDirectory, name: string): Promise<void> {
  await fs.access(directory.entryPath(name), fsConstants.W_OK);
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
      throw fileOperationRefusal(requested, 'special', `Cannot change ${JSON.stringify(requested)}: it is not a regular file.`);
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

/** write_file, edit_file, create_directory, move_file: registered only when the server is not read-only. */
export function registerWriteTools(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'write_file',
    {
      title: 'Write File',
      description:
        'Create a file, or replace an existing file\'s whole content, with the given UTF-8 text. Missing parent ' +
        'directories are created. The write is atomic (a temporary file renamed into place). Overwrites without ' +
        'warning: use edit_file to change part of a file. Refuses symbolic links and hard-linked files.',
      inputSchema: { path: pathArgument, content: z.string().describe('The complete new content of the file') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guardedHandler('write', (input) => input.path, async (input) => {
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
    }),
  );

  server.registerTool(
    'edit_file',
    {
      title: 'Edit File',
      description:
        'Replace text in a file. Each edit replaces the first occurrence of oldText with newText, in order, each ' +
        'applied to the result of the previous ones; if oldText is not found exactly, a run of lines equal to it ' +
        'apart from indentation and trailing spaces is replaced, keeping the file\'s indentation. All edits apply or ' +
        'none do: an edit whose oldText matches nowhere fails, naming its index. Returns a git-style unified diff. ' +
        'Use dryRun: true to preview the diff without writing. Include enough surrounding lines in oldText to make it unique.',
      inputSchema: {
        path: pathArgument,
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
    guardedHandler('edit', (input) => input.path, async (input) => {
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
    }),
  );

  server.registerTool(
    'create_directory',
    {
      title: 'Create Directory',
      description:
        'Create a directory, with any missing parents (like mkdir -p). Succeeds if the directory already exists; ' +
        'fails if a file is there.',
      inputSchema: { path: pathArgument },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    guardedHandler('create directory', (input) => input.path, async (input) => {
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
    }),
  );

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
    guardedHandler('move', (input) => input.source, async (input) => {
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
        const destinationDirectory = await OpenDirectory.open(guard, input.destination, path.dirname(destination.path));
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
    }),
  );
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fileOperationRefusal } from '../file-operation-failure.js';
import { readHeadLines, readTailLines } from '../line-window.js';
import type { PathGuard } from '../path-guard.js';
import { openReadableFile, readAndClose } from '../readable-file.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { readText } from './read-text.js';
import { filePathArgument, readOnlyAnnotations } from './tool-arguments.js';

/** read_text_file's arguments, which read_file takes too. */
export const readTextFileShape = {
  path: filePathArgument,
  tail: z.number().int().positive().optional().describe('If provided, returns only the last N lines of the file'),
  head: z.number().int().positive().optional().describe('If provided, returns only the first N lines of the file'),
};

/** What read_text_file (and read_file, its alias) does: the whole file, or its first or last lines. */
export function readTextFileHandler(guard: PathGuard) {
  return guardedHandler(
    'read',
    (input: { path: string }) => input.path,
    async (input: { path: string; head?: number | undefined; tail?: number | undefined }) => {
      if (input.head !== undefined && input.tail !== undefined) {
        throw fileOperationRefusal(
          input.path,
          'arguments',
          'Pass either head or tail, not both: read the start or the end of the file.',
        );
      }
      if (input.head === undefined && input.tail === undefined) return textResult(await readText(guard, input.path));
      const file = await openReadableFile(guard, input.path);
      return await readAndClose(file, async (handle) =>
        textResult(
          input.head !== undefined
            ? await readHeadLines(handle, input.head)
            : await readTailLines(handle, input.tail as number),
        ),
      );
    },
  );
}

/** read_text_file: a file as UTF-8 text, whole or its head or tail. */
export function registerReadTextFileTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'read_text_file',
    {
      title: 'Read Text File',
      description:
        'Read the complete contents of a file as UTF-8 text, whatever its extension. Use head to read only the ' +
        'first N lines or tail for the last N lines (not both) of a large file. Fails with a message for a path ' +
        'that does not exist, is a directory, or lies outside the allowed directories.',
      inputSchema: readTextFileShape,
      annotations: readOnlyAnnotations,
    },
    readTextFileHandler(guard),
  );
}

import { pathToFileURL } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { describeError } from '../../errors/mux-swarm-error.js';
import { pathOnlyFlags } from './descriptor-path.js';
import { fileOperationFailure, fileOperationRefusal } from './file-operation-failure.js';
import { readHeadLines, readTailLines } from './line-window.js';
import { mediaTypeFor } from './media-type.js';
import type { PathGuard } from './path-guard.js';
import { checkReadSize, openReadableFile, readAndClose } from './readable-file.js';
import { errorResult, guardedHandler, textResult } from './tool-result.js';

const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const pathArgument = z
  .string()
  .describe('File path: absolute, or relative to the first allowed directory. Must lie inside an allowed directory.');

const readTextFileShape = {
  path: pathArgument,
  tail: z.number().int().positive().optional().describe('If provided, returns only the last N lines of the file'),
  head: z.number().int().positive().optional().describe('If provided, returns only the first N lines of the file'),
};

const partialReadAdvice = 'Read part of it with read_text_file and head or tail.';

async function readText(guard: PathGuard, requested: string): Promise<string> {
  const file = await openReadableFile(guard, requested);
  return await readAndClose(file, async (handle) => {
    checkReadSize(requested, file.size, partialReadAdvice);
    return await handle.readFile({ encoding: 'utf8' });
  });
}

/** read_text_file, read_file (its deprecated alias), read_media_file, read_multiple_files, get_file_info. */
export function registerReadTools(server: McpServer, guard: PathGuard): void {
  const readTextFile = guardedHandler(
    'read',
    (input: { path: string }) => input.path,
    async (input: { path: string; head?: number | undefined; tail?: number | undefined }) => {
      if (input.head !== undefined && input.tail !== undefined) {
        throw fileOperationRefusal(input.path, 'arguments', 'Pass either head or tail, not both: read the start or the end of the file.');
      }
      if (input.head === undefined && input.tail === undefined) return textResult(await readText(guard, input.path));
      const file = await openReadableFile(guard, input.path);
      return await readAndClose(file, async (handle) =>
        textResult(input.head !== undefined ? await readHeadLines(handle, input.head) : await readTailLines(handle, input.tail as number)),
      );
    },
  );

  server.registerTool(
    'read_text_file',
    {
      title: 'Read Text File',
      description:
        'Read the complete contents of a file as UTF-8 text, whatever its extension. Use head to read only the ' +
        'first N lines or tail for the last N lines (not both) of a large file. Fails with a message for a path ' +
        'that does not exist, is a directory, or lies outside the allowed directories.',
      inputSchema: readTextFileShape,
      annotations: readOnly,
    },
    readTextFile,
  );

  server.registerTool(
    'read_file',
    {
      title: 'Read File (Deprecated)',
      description: 'Read the complete contents of a file as text. DEPRECATED: use read_text_file, which takes the same arguments.',
      inputSchema: readTextFileShape,
      annotations: readOnly,
    },
    readTextFile,
  );

  server.registerTool(
    'read_media_file',
    {
      title: 'Read Media File',
      description:
        'Read an image, audio or other binary file. Returns its base64-encoded data and MIME type (an image or ' +
        'audio content block; other types as an embedded resource). Use read_text_file for text.',
      inputSchema: { path: pathArgument },
      annotations: readOnly,
    },
    guardedHandler('read', (input) => input.path, async (input) => {
      const file = await openReadableFile(guard, input.path);
      const data = await readAndClose(file, async (handle) => {
        checkReadSize(input.path, file.size, 'Media files that large cannot be passed to a model.');
        return (await handle.readFile()).toString('base64');
      });
      const filePath = file.path;
      const mimeType = mediaTypeFor(filePath);
      const result: CallToolResult = mimeType.startsWith('image/')
        ? { content: [{ type: 'image', data, mimeType }] }
        : mimeType.startsWith('audio/')
          ? { content: [{ type: 'audio', data, mimeType }] }
          : { content: [{ type: 'resource', resource: { uri: pathToFileURL(filePath).href, mimeType, blob: data } }] };
      return result;
    }),
  );

  server.registerTool(
    'read_multiple_files',
    {
      title: 'Read Multiple Files',
      description:
        'Read several text files in one call; faster than reading them one by one when comparing or analysing ' +
        'files. Each file comes back under its path, separated by "---". A file that cannot be read shows ' +
        '"<path>: Error - <reason>" without failing the others.',
      inputSchema: {
        paths: z
          .array(z.string())
          .min(1, 'At least one file path must be provided')
          .describe('File paths to read, each absolute or relative to the first allowed directory.'),
      },
      annotations: readOnly,
    },
    async (input) => {
      let failures = 0;
      const sections = await Promise.all(
        input.paths.map(async (requested) => {
          try {
            return `${requested}:\n${await readText(guard, requested)}\n`;
          } catch (error) {
            failures++;
            return `${requested}: Error - ${describeError(fileOperationFailure(error, 'read', requested))}`;
          }
        }),
      );
      const text = sections.join('\n---\n');
      return failures === input.paths.length ? errorResult(text) : textResult(text);
    },
  );

  server.registerTool(
    'get_file_info',
    {
      title: 'Get File Info',
      description:
        'Metadata of a file or directory without reading it: size in bytes, created, modified and accessed ' +
        'times (ISO 8601), isDirectory, isFile, and permissions (octal, e.g. 644).',
      inputSchema: { path: pathArgument },
      annotations: readOnly,
    },
    guardedHandler('get information on', (input) => input.path, async (input) => {
      const { handle, path: filePath } = await guard.openExisting(input.path, pathOnlyFlags);
      let stats;
      try {
        stats = await handle.stat();
      } finally {
        await handle.close();
      }
      const info = {
        path: filePath,
        size: stats.size,
        created: stats.birthtime.toISOString(),
        modified: stats.mtime.toISOString(),
        accessed: stats.atime.toISOString(),
        isDirectory: stats.isDirectory(),
        isFile: stats.isFile(),
        permissions: (stats.mode & 0o777).toString(8).padStart(3, '0'),
      };
      return textResult(
        Object.entries(info)
          .map(([key, value]) => `${key}: ${String(value)}`)
          .join('\n'),
      );
    }),
  );

  server.registerTool(
    'list_allowed_directories',
    {
      title: 'List Allowed Directories',
      description:
        'The directories this server may access; everything beneath them is accessible too, nothing else is. ' +
        'Relative paths are resolved against the first. Call this before guessing paths.',
      inputSchema: {},
      annotations: readOnly,
    },
    async () => textResult(`Allowed directories:\n${guard.roots.join('\n')}`),
  );
}

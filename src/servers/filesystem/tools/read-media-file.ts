import { pathToFileURL } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mediaTypeFor } from '../media-type.js';
import type { PathGuard } from '../path-guard.js';
import { checkReadSize, openReadableFile, readAndClose } from '../readable-file.js';
import { guardedHandler } from '../tool-result.js';
import { filePathArgument, readOnlyAnnotations } from './tool-arguments.js';

/** read_media_file: an image, audio or other binary file as base64 data. */
export function registerReadMediaFileTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'read_media_file',
    {
      title: 'Read Media File',
      description:
        'Read an image, audio or other binary file. Returns its base64-encoded data and MIME type (an image or ' +
        'audio content block; other types as an embedded resource). Use read_text_file for text.',
      inputSchema: { path: filePathArgument },
      annotations: readOnlyAnnotations,
    },
    guardedHandler(
      'read',
      (input) => input.path,
      async (input) => {
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
            : {
                content: [{ type: 'resource', resource: { uri: pathToFileURL(filePath).href, mimeType, blob: data } }],
              };
        return result;
      },
    ),
  );
}

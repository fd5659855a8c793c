import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { describeError } from '../../../errors/mux-swarm-error.js';
import { fileOperationFailure } from '../file-operation-failure.js';
import type { PathGuard } from '../path-guard.js';
import { errorResult, textResult } from '../tool-result.js';
import { readText } from './read-text.js';
import { readOnlyAnnotations } from './tool-arguments.js';

/** read_multiple_files: several text files in one call; one that cannot be read does not fail the others. */
export function registerReadMultipleFilesTool(server: McpServer, guard: PathGuard): void {
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
      annotations: readOnlyAnnotations,
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
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { PathGuard } from '../path-guard.js';
import { searchFiles } from '../search-files.js';
import { guardedHandler, textResult } from '../tool-result.js';
import { inDirectory } from './in-directory.js';
import { directoryArgument, excludePatternsArgument, readOnlyAnnotations } from './tool-arguments.js';

const maximumSearchResults = 1_000;

/** search_files: the paths below a directory that match a glob pattern. */
export function registerSearchFilesTool(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'search_files',
    {
      title: 'Search Files',
      description:
        'Recursively find files and directories below a directory whose path matches a glob pattern; returns ' +
        'their absolute paths, one per line, or "No matches found". A pattern without "/" matches names at any ' +
        'depth ("*.ts", "README*", "config.{json,yaml}"); one with "/" matches the path relative to the given ' +
        'directory ("src/**/*.test.ts"). * stays within one name, ** spans directories. Symbolic links are not ' +
        `followed. At most ${maximumSearchResults} results.`,
      inputSchema: {
        path: directoryArgument,
        pattern: z.string().min(1).describe('Glob pattern, e.g. "*.md" or "src/**/index.ts"'),
        excludePatterns: excludePatternsArgument,
      },
      annotations: readOnlyAnnotations,
    },
    guardedHandler(
      'search',
      (input) => input.path,
      async (input, signal) => {
        const result = await inDirectory(guard, input.path, (directory) =>
          searchFiles(directory, {
            pattern: input.pattern,
            excludePatterns: input.excludePatterns,
            maximumResults: maximumSearchResults,
            isAllowed: (realPath) => guard.isInsideRoots(realPath),
            signal,
          }),
        );
        if (result.paths.length === 0) return textResult('No matches found');
        const note = result.truncated
          ? `\n(stopped at ${maximumSearchResults} results; use a narrower pattern, path or excludePatterns)`
          : '';
        return textResult(result.paths.join('\n') + note);
      },
    ),
  );
}

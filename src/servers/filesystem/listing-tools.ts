import fs from 'node:fs/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { entryKind, readSortedEntries, type EntryKind } from './directory-entries.js';
import { buildDirectoryTree } from './directory-tree.js';
import { formatSize } from './format-size.js';
import { OpenDirectory } from './open-directory.js';
import type { PathGuard } from './path-guard.js';
import { searchFiles } from './search-files.js';
import { guardedHandler, textResult } from './tool-result.js';

const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

const directoryArgument = z
  .string()
  .describe('Directory path: absolute, or relative to the first allowed directory ("." for it). Must lie inside an allowed directory.');

const excludePatternsArgument = z
  .array(z.string())
  .optional()
  .default([])
  .describe(
    'Glob patterns to leave out, with everything beneath them. A pattern without "/" matches entry names at any depth ' +
      '("node_modules", "*.log"); one with "/" matches the path relative to the given directory ("build/**").',
  );

const maximumTreeEntries = 5_000;
const maximumSearchResults = 1_000;

const tags: Record<EntryKind, string> = { file: '[FILE]', directory: '[DIR]', symlink: '[LINK]' };

/** Opens the directory `requested` (its descriptor checked inside a root), passes it to `use`, then closes it. */
async function inDirectory<Result>(guard: PathGuard, requested: string, use: (directory: OpenDirectory) => Promise<Result>): Promise<Result> {
  const directory = await OpenDirectory.openExisting(guard, requested);
  try {
    return await use(directory);
  } finally {
    await directory.close();
  }
}

/** list_directory, list_directory_with_sizes, directory_tree, search_files. */
export function registerListingTools(server: McpServer, guard: PathGuard): void {
  server.registerTool(
    'list_directory',
    {
      title: 'List Directory',
      description:
        'List the entries of one directory (not recursive), one per line, sorted by name and prefixed [FILE], ' +
        '[DIR], or [LINK] for a symbolic link. Use directory_tree or search_files to look deeper.',
      inputSchema: { path: directoryArgument },
      annotations: readOnly,
    },
    guardedHandler('list', (input) => input.path, async (input) => {
      const entries = await inDirectory(guard, input.path, readSortedEntries);
      if (entries.length === 0) return textResult(`Directory ${input.path} is empty.`);
      return textResult(entries.map((entry) => `${tags[entryKind(entry)]} ${entry.name}`).join('\n'));
    }),
  );

  server.registerTool(
    'list_directory_with_sizes',
    {
      title: 'List Directory with Sizes',
      description:
        'List the entries of one directory with file sizes, prefixed [FILE], [DIR] or [LINK], followed by totals. ' +
        'sortBy "size" puts the largest first; "name" (default) sorts alphabetically.',
      inputSchema: {
        path: directoryArgument,
        sortBy: z.enum(['name', 'size']).optional().default('name').describe('Sort entries by name or size'),
      },
      annotations: readOnly,
    },
    guardedHandler('list', (input) => input.path, async (input) => {
      const entries = await inDirectory(guard, input.path, async (directory) =>
        Promise.all(
          (await readSortedEntries(directory)).map(async (entry) => {
            const kind = entryKind(entry);
            const stats = await fs.lstat(directory.entryPath(entry.name)).catch(() => undefined);
            return { name: entry.name, kind, size: kind === 'file' ? (stats?.size ?? 0) : 0 };
          }),
        ),
      );
      if (input.sortBy === 'size') entries.sort((left, right) => right.size - left.size);
      const lines = entries.map(
        (entry) => `${tags[entry.kind]} ${entry.name.padEnd(30)} ${entry.kind === 'file' ? formatSize(entry.size).padStart(10) : ''}`.trimEnd(),
      );
      const files = entries.filter((entry) => entry.kind === 'file').length;
      const directories = entries.filter((entry) => entry.kind === 'directory').length;
      const total = entries.reduce((sum, entry) => sum + entry.size, 0);
      lines.push('', `Total: ${files} files, ${directories} directories`, `Combined size: ${formatSize(total)}`);
      return textResult(lines.join('\n'));
    }),
  );

  server.registerTool(
    'directory_tree',
    {
      title: 'Directory Tree',
      description:
        'Recursive tree of a directory as JSON (2-space indented): an array of {"name", "type"} where type is ' +
        '"file", "directory" or "symlink"; directories have a "children" array (possibly empty). Symbolic links ' +
        `are not followed. Use excludePatterns to skip bulky folders; at most ${maximumTreeEntries} entries are returned.`,
      inputSchema: { path: directoryArgument, excludePatterns: excludePatternsArgument },
      annotations: readOnly,
    },
    guardedHandler('list', (input) => input.path, async (input, signal) => {
      const tree = await inDirectory(guard, input.path, (directory) =>
        buildDirectoryTree(directory, { excludePatterns: input.excludePatterns, maximumEntries: maximumTreeEntries, signal }),
      );
      const text = JSON.stringify(tree.entries, null, 2);
      if (!tree.truncated) return textResult(text);
      return {
        content: [
          { type: 'text', text },
          {
            type: 'text',
            text: `Truncated after ${maximumTreeEntries} entries. Call directory_tree on a subdirectory or add excludePatterns.`,
          },
        ],
      };
    }),
  );

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
      annotations: readOnly,
    },
    guardedHandler('search', (input) => input.path, async (input, signal) => {
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
    }),
  );
}

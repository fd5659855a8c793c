import { entryKind, joinRelative, readSortedEntries, type EntryKind } from './directory-entries.js';
import { matchesPathPattern } from './glob-match.js';
import type { OpenDirectory } from './open-directory.js';

export interface TreeEntry {
  name: string;
  type: EntryKind;
  /** Present, possibly empty, for directories only. */
  children?: TreeEntry[];
}

export interface DirectoryTree {
  entries: TreeEntry[];
  /** True when `maximumEntries` was reached and the rest left out. */
  truncated: boolean;
}

export interface DirectoryTreeOptions {
  excludePatterns: readonly string[];
  maximumEntries: number;
  signal?: AbortSignal | undefined;
}

/**
 * The tree below an open `directory`. Symbolic links are listed as `symlink` and never followed, so the walk
 * cannot leave the directory or loop: each subdirectory is opened through its parent's descriptor without
 * following a link (see OpenDirectory.openSubdirectory), so one swapped for a link meanwhile fails rather than
 * leading out. Excluded entries (see matchesPathPattern) are left out with everything beneath them.
 */
export async function buildDirectoryTree(
  directory: OpenDirectory,
  options: DirectoryTreeOptions,
): Promise<DirectoryTree> {
  let count = 0;
  let truncated = false;
  const walk = async (current: OpenDirectory, relative: string): Promise<TreeEntry[]> => {
    options.signal?.throwIfAborted();
    const result: TreeEntry[] = [];
    for (const entry of await readSortedEntries(current)) {
      const entryRelative = joinRelative(relative, entry.name);
      if (options.excludePatterns.some((pattern) => matchesPathPattern(entryRelative, pattern))) continue;
      if (count >= options.maximumEntries) {
        truncated = true;
        break;
      }
      count++;
      const type = entryKind(entry);
      const node: TreeEntry = { name: entry.name, type };
      if (type === 'directory') {
        const subdirectory = await current.openSubdirectory(entry.name);
        try {
          node.children = await walk(subdirectory, entryRelative);
        } finally {
          await subdirectory.close();
        }
      }
      result.push(node);
    }
    return result;
  };
  const entries = await walk(directory, '');
  return { entries, truncated };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { entryKind, joinRelative, readSortedEntries } from './directory-entries.js';
import { matchesPathPattern } from './glob-match.js';
import type { OpenDirectory } from './open-directory.js';

export interface SearchOptions {
  pattern: string;
  excludePatterns: readonly string[];
  maximumResults: number;
  /** Whether a real path lies inside the allowed roots; symbolic links that lead out are not reported. */
  isAllowed: (realPath: string) => boolean;
  signal?: AbortSignal | undefined;
}

export interface SearchResult {
  paths: string[];
  truncated: boolean;
}

/**
 * Every file and directory below an open `directory` whose path matches `pattern` (see matchesPathPattern),
 * as absolute paths (below the directory's real path) in name order. Symbolic links are never descended
 * into: each subdirectory is opened through its parent's descriptor without following a link. A link is
 * reported only when its target lies inside the allowed roots.
 */
export async function searchFiles(directory: OpenDirectory, options: SearchOptions): Promise<SearchResult> {
  const paths: string[] = [];
  let truncated = false;
  const walk = async (current: OpenDirectory, relative: string): Promise<void> => {
    options.signal?.throwIfAborted();
    let entries;
    try {
      entries = await readSortedEntries(current);
    } catch {
      return; // an unreadable subdirectory is skipped, as the reference server does
    }
    for (const entry of entries) {
      if (truncated) return;
      const entryRelative = joinRelative(relative, entry.name);
      if (options.excludePatterns.some((pattern) => matchesPathPattern(entryRelative, pattern))) continue;
      const entryAbsolute = path.join(current.path, entry.name);
      const kind = entryKind(entry);
      const matches = matchesPathPattern(entryRelative, options.pattern);
      if (matches && (kind !== 'symlink' || (await leadsInside(current.entryPath(entry.name), options)))) {
        if (paths.length >= options.maximumResults) {
          truncated = true;
          return;
        }
        paths.push(entryAbsolute);
      }
      if (kind === 'directory') await walkSubdirectory(current, entry.name, entryRelative);
    }
  };
  const walkSubdirectory = async (parent: OpenDirectory, name: string, relative: string): Promise<void> => {
    let subdirectory;
    try {
      subdirectory = await parent.openSubdirectory(name);
    } catch {
      return; // gone, or no longer a directory: skipped like an unreadable one
    }
    try {
      await walk(subdirectory, relative);
    } finally {
      await subdirectory.close();
    }
  };
  await walk(directory, '');
  return { paths, truncated };
}

async function leadsInside(link: string, options: SearchOptions): Promise<boolean> {
  try {
    return options.isAllowed(await fs.realpath(link));
  } catch {
    return false;
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { entryKind, joinRelative, readSortedEntries } from './directory-entries.js';
import { matchesPathPattern } from './glob-match.js';

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
 * Every file and directory below `directory` (a real path) whose path matches `pattern` (see
 * matchesPathPattern), as absolute paths in name order. Symbolic links are never descended into; a link is
 * reported only when its target lies inside the allowed roots.
 */
export async function searchFiles(directory: string, options: SearchOptions): Promise<SearchResult> {
  const paths: string[] = [];
  let truncated = false;
  const walk = async (absolute: string, relative: string): Promise<void> => {
    options.signal?.throwIfAborted();
    let entries;
    try {
      entries = await readSortedEntries(absolute);
    } catch {
      return; // an unreadable subdirectory is skipped, as the reference server does
    }
    for (const entry of entries) {
      if (truncated) return;
      const entryRelative = joinRelative(relative, entry.name);
      if (options.excludePatterns.some((pattern) => matchesPathPattern(entryRelative, pattern))) continue;
      const entryAbsolute = path.join(absolute, entry.name);
      const kind = entryKind(entry);
      if (matchesPathPattern(entryRelative, options.pattern) && (kind !== 'symlink' || (await leadsInside(entryAbsolute, options)))) {
        if (paths.length >= options.maximumResults) {
          truncated = true;
          return;
        }
        paths.push(entryAbsolute);
      }
      if (kind === 'directory') await walk(entryAbsolute, entryRelative);
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

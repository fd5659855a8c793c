import type { EntryKind } from '../directory-entries.js';
import { OpenDirectory } from '../open-directory.js';
import type { PathGuard } from '../path-guard.js';

/** How list_directory and list_directory_with_sizes mark each kind of entry. */
export const entryTags: Record<EntryKind, string> = { file: '[FILE]', directory: '[DIR]', symlink: '[LINK]' };

/** Opens the directory `requested` (its descriptor checked inside a root), passes it to `use`, then closes it. */
export async function inDirectory<Result>(
  guard: PathGuard,
  requested: string,
  use: (directory: OpenDirectory) => Promise<Result>,
): Promise<Result> {
  const directory = await OpenDirectory.openExisting(guard, requested);
  try {
    return await use(directory);
  } finally {
    await directory.close();
  }
}

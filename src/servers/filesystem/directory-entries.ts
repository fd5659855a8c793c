import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import type { OpenDirectory } from './open-directory.js';

export type EntryKind = 'file' | 'directory' | 'symlink';

/** What an entry is, without following links: a link is a `symlink`, whatever it points to. */
export function entryKind(entry: Dirent): EntryKind {
  if (entry.isSymbolicLink()) return 'symlink';
  return entry.isDirectory() ? 'directory' : 'file';
}

/** The entries of an open directory sorted by name (code-point order, the same on every machine). */
export async function readSortedEntries(directory: OpenDirectory): Promise<Dirent[]> {
  const entries = await fs.readdir(directory.location, { withFileTypes: true });
  return entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
}

/** Joins a relative path and a name with `/`, the separator glob patterns use. */
export function joinRelative(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import { PathNotFoundError } from '../../../errors/path-not-found-error.js';
import { fileOperationRefusal } from '../file-operation-failure.js';
import type { OpenDirectory } from '../open-directory.js';
import type { WriteTarget } from '../path-guard.js';

/** The target must be an existing regular file (edit_file; write_file when it replaces one). */
export function requireFile(
  requested: string,
  target: WriteTarget,
): asserts target is WriteTarget & { stats: NonNullable<WriteTarget['stats']> } {
  if (target.stats === undefined) throw new PathNotFoundError(requested, target.path);
  if (target.stats.isDirectory()) {
    throw fileOperationRefusal(
      requested,
      'EISDIR',
      `Cannot change ${JSON.stringify(requested)}: it is a directory, not a file.`,
    );
  }
  if (!target.stats.isFile()) {
    throw fileOperationRefusal(
      requested,
      'special',
      `Cannot change ${JSON.stringify(requested)}: it is not a regular file.`,
    );
  }
}

/**
 * The atomic rename would replace a file even where its permissions forbid writing it; honour them instead
 * (throws EACCES, which the handler explains).
 */
export async function requireWritable(directory: OpenDirectory, name: string): Promise<void> {
  await fs.access(directory.entryPath(name), fsConstants.W_OK);
}

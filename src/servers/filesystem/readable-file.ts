import fs from 'node:fs/promises';
import { fileOperationRefusal } from './file-operation-failure.js';
import type { PathGuard } from './path-guard.js';

/** Whole-file reads (no head/tail) and media reads stop here: more would flood any model's context. */
export const maximumReadBytes = 20 * 1024 * 1024;

/**
 * Resolves `requested` for reading and checks that it is a regular file: a directory gets a message pointing
 * to the listing tools, and a pipe, socket or device is refused (reading one could block forever).
 */
export async function resolveReadableFile(guard: PathGuard, requested: string): Promise<{ path: string; size: number }> {
  const filePath = await guard.resolveExisting(requested);
  const stats = await fs.stat(filePath);
  if (stats.isDirectory()) {
    throw fileOperationRefusal(
      requested,
      'EISDIR',
      `Cannot read ${JSON.stringify(requested)}: it is a directory. Use list_directory or directory_tree to see what it contains.`,
    );
  }
  if (!stats.isFile()) {
    throw fileOperationRefusal(
      requested,
      'special',
      `Cannot read ${JSON.stringify(requested)}: it is not a regular file (a pipe, socket or device).`,
    );
  }
  return { path: filePath, size: stats.size };
}

/** Refuses a whole-file read past maximumReadBytes, saying how to read part of it instead. */
export function checkReadSize(requested: string, size: number, alternative: string): void {
  if (size <= maximumReadBytes) return;
  const megabytes = (size / (1024 * 1024)).toFixed(1);
  throw fileOperationRefusal(
    requested,
    'too-large',
    `Cannot read ${JSON.stringify(requested)} whole: it is ${megabytes} MB, over the ${maximumReadBytes / (1024 * 1024)} MB limit. ${alternative}`,
  );
}

import type { FileHandle } from 'node:fs/promises';
import { pathOnlyFlags, reopenForReading } from './descriptor-path.js';
import { fileOperationRefusal } from './file-operation-failure.js';
import type { PathGuard } from './path-guard.js';

/** Whole-file reads (no head/tail) and media reads stop here: more would flood any model's context. */
export const maximumReadBytes = 20 * 1024 * 1024;

/** A regular file open for reading, its descriptor checked inside a root. */
export interface ReadableFile {
  /** Read through this, never by path; close it when done. */
  handle: FileHandle;
  /** The real path it was resolved to (for messages and media types). */
  path: string;
  /** Its size when it was opened. */
  size: number;
}

/**
 * Opens `requested` for reading: the guard opens its real path with pathOnlyFlags (O_PATH on Linux: no read
 * permission used, no pipe waited on, no device touched) and checks the descriptor inside a root. Then it must
 * be a regular file: a directory gets a message pointing to the listing tools, and a pipe, socket or device is
 * refused (reading one could block forever). Only then is the same file opened for reading, through its
 * descriptor (reopenForReading), never by its path again.
 */
export async function openReadableFile(guard: PathGuard, requested: string): Promise<ReadableFile> {
  const opened = await guard.openExisting(requested, pathOnlyFlags);
  let stats;
  try {
    stats = await opened.handle.stat();
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
  } catch (error) {
    await opened.handle.close();
    throw error;
  }
  return { handle: await reopenForReading(opened.handle), path: opened.path, size: stats.size };
}

/** Reads what `read` returns from an open readable file, then closes it. */
export async function readAndClose<Result>(
  file: ReadableFile,
  read: (handle: FileHandle) => Promise<Result>,
): Promise<Result> {
  try {
    return await read(file.handle);
  } finally {
    await file.handle.close();
  }
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

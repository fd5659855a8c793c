import { FileOperationError } from '../../errors/file-operation-error.js';
import { describeError, isMuxSwarmError } from '../../errors/mux-swarm-error.js';

/** Whether `error` is a Node system error with the given errno code (`ENOENT`, `EISDIR`, …). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

const explanations: Record<string, string> = {
  ENOENT: 'it does not exist. Check the name with list_directory or search_files',
  ENOTDIR: 'it, or a directory above it, is a file and not a directory',
  EISDIR: 'it is a directory. Use list_directory or directory_tree to see what it contains',
  EACCES: 'permission denied by the operating system',
  EPERM: 'the operating system does not permit it',
  EEXIST: 'something already exists at that path',
  ENOTEMPTY: 'the directory is not empty',
  EXDEV: 'source and destination are on different filesystems; read the file and write it to the new place instead',
  ELOOP: 'the path goes through too many symbolic links (a loop)',
  EINVAL: 'the operation is invalid here (a directory cannot be moved into itself)',
  ENAMETOOLONG: 'the path or one of its names is too long',
  ENOSPC: 'the disk is full',
  EROFS: 'the filesystem is read-only',
  EBUSY: 'the file or directory is busy',
};

/**
 * Turns what the operating system threw into a message a model can act on: what failed, on which path, and
 * what to do. Mux-swarm errors pass through unchanged.
 */
export function fileOperationFailure(error: unknown, action: string, requestedPath: string): Error {
  if (isMuxSwarmError(error)) return error;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  const explanation = (code !== undefined ? explanations[code] : undefined) ?? describeError(error);
  return new FileOperationError(
    requestedPath,
    code ?? 'unknown',
    `Cannot ${action} ${JSON.stringify(requestedPath)}: ${explanation}.`,
    { cause: error },
  );
}

/** A failure with a reason of our own, not thrown by the operating system. */
export function fileOperationRefusal(requestedPath: string, reason: string, message: string): FileOperationError {
  return new FileOperationError(requestedPath, reason, message);
}

import { closeSync, constants, openSync, readlinkSync, realpathSync } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const descriptorDirectory = '/proc/self/fd';

/**
 * Linux's O_PATH (not in fs.constants): a descriptor that only names a file. Opening one needs no read
 * permission, never blocks on a pipe and has no side effect on a device. Its value is that of the generic
 * Linux headers, which these architectures use; elsewhere it is left unused.
 */
const linuxOPath = 0o10000000;
const architecturesWithGenericOPath = new Set(['x64', 'arm64', 'ia32', 'arm', 'riscv64']);

function probeDescriptorPaths(): boolean {
  if (process.platform !== 'linux') return false;
  let fd: number | undefined;
  try {
    fd = openSync('/', constants.O_RDONLY | constants.O_DIRECTORY);
    return readlinkSync(`${descriptorDirectory}/${fd}`) === '/';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether open descriptors have paths here (Linux with /proc mounted): `/proc/self/fd/<fd>` is a link that
 * the kernel resolves to the open file itself, not to the path it was opened by, and reading that link gives
 * the file's current real path.
 */
export const descriptorPathsWork: boolean = probeDescriptorPaths();

/** Whether pathOnlyFlags opens with O_PATH (else it opens for reading, which is what there is). */
const pathOnly = descriptorPathsWork && architecturesWithGenericOPath.has(process.arch);

/**
 * Flags for a descriptor that is checked before anything is read through it: O_PATH where available, else a
 * read-only open that neither blocks on a pipe nor takes a terminal.
 */
export const pathOnlyFlags: number = pathOnly
  ? linuxOPath
  : constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** pathOnlyFlags for a directory: the open fails (ENOTDIR) on anything else. */
export const directoryFlags: number = pathOnlyFlags | constants.O_DIRECTORY;

/**
 * The real path of the file open as `fd`, as the kernel holds it: whatever was renamed or swapped for a
 * symbolic link since, this is where the open file is. Where descriptors have no path, the real path of
 * `openedPath` resolved again now (which narrows the race but cannot close it).
 */
export function descriptorRealPath(fd: number, openedPath: string): string {
  return descriptorPathsWork ? readlinkSync(`${descriptorDirectory}/${fd}`) : realpathSync(openedPath);
}

/**
 * A path that reaches the directory open as `fd` through the descriptor: the kernel resolves it to that very
 * directory, so names below it are looked up there even after a directory above it was renamed or swapped
 * for a link. Where descriptors have no path, `openedPath` itself.
 */
export function descriptorLocation(fd: number, openedPath: string): string {
  return descriptorPathsWork ? `${descriptorDirectory}/${fd}` : openedPath;
}

/** `name` (one component, never `.` or `..`) inside the directory at `location` (a descriptorLocation). */
export function entryLocation(location: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes(path.sep)) {
    throw new Error(`entryLocation needs one name inside the directory, not ${JSON.stringify(name)}`);
  }
  return `${location}${path.sep}${name}`;
}

/**
 * A descriptor to read from, for a regular file held by a descriptor from pathOnlyFlags: where that is an
 * O_PATH descriptor, the same file opened again for reading through /proc/self/fd (never by its path), and
 * the O_PATH one closed; otherwise the handle itself.
 */
export async function reopenForReading(handle: FileHandle): Promise<FileHandle> {
  if (!pathOnly) return handle;
  try {
    return await fs.open(`${descriptorDirectory}/${handle.fd}`, constants.O_RDONLY | constants.O_NOCTTY);
  } finally {
    await handle.close();
  }
}

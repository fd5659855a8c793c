import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { descriptorLocation, directoryFlags, entryLocation } from './descriptor-path.js';
import { isErrnoCode } from './file-operation-failure.js';
import type { PathGuard } from './path-guard.js';

/**
 * A directory held open by a descriptor that was checked inside a root. Its entries are reached through the
 * descriptor (`/proc/self/fd/<fd>/<name>`), never by path again: once it is open, renaming a directory above
 * it, or swapping one for a symbolic link, cannot redirect a create, rename, open or listing elsewhere. Close
 * it when done.
 */
export class OpenDirectory {
  /** Where the kernel reaches this very directory (see descriptorLocation). */
  readonly location: string;

  private constructor(
    private readonly handle: FileHandle,
    /** Real path of the directory when it was checked: for messages and reported paths, never to reach it. */
    readonly path: string,
    private readonly guard: PathGuard,
    /** The request the directory serves, named in any refusal. */
    private readonly requested: string,
  ) {
    this.location = descriptorLocation(handle.fd, path);
  }

  /** Opens the real path `directoryPath` the guard resolved for `requested`, and checks the descriptor. */
  static async open(guard: PathGuard, requested: string, directoryPath: string): Promise<OpenDirectory> {
    const handle = await fs.open(directoryPath, directoryFlags);
    return await OpenDirectory.checked(guard, requested, handle, directoryPath);
  }

  /** An existing directory to list (see PathGuard.openExisting); ENOTDIR when it is a file. */
  static async openExisting(guard: PathGuard, requested: string): Promise<OpenDirectory> {
    const opened = await guard.openExisting(requested, directoryFlags);
    return new OpenDirectory(opened.handle, opened.path, guard, requested);
  }

  /**
   * The directory `directoryPath`, whose last `missing` components do not exist yet: opens the existing part
   * and creates the rest one at a time, each inside the one before through its descriptor (like mkdir -p,
   * but a directory renamed or swapped meanwhile cannot send the new ones elsewhere).
   */
  static async openCreating(
    guard: PathGuard,
    requested: string,
    directoryPath: string,
    missing: number,
  ): Promise<OpenDirectory> {
    const names: string[] = [];
    let existing = directoryPath;
    for (let index = 0; index < missing; index++) {
      names.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
    let directory = await OpenDirectory.open(guard, requested, existing);
    for (const name of names) {
      const parent = directory;
      try {
        directory = await parent.makeSubdirectory(name);
      } finally {
        await parent.close();
      }
    }
    return directory;
  }

  private static async checked(
    guard: PathGuard,
    requested: string,
    handle: FileHandle,
    openedPath: string,
  ): Promise<OpenDirectory> {
    try {
      guard.checkDescriptor(requested, handle.fd, openedPath);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new OpenDirectory(handle, openedPath, guard, requested);
  }

  /** Where the kernel reaches `name` inside this directory, through its descriptor. */
  entryPath(name: string): string {
    return entryLocation(this.location, name);
  }

  /** Checks a descriptor opened on `name` in this directory (see PathGuard.checkDescriptor). */
  check(handle: FileHandle, name: string): void {
    this.guard.checkDescriptor(this.requested, handle.fd, path.join(this.path, name));
  }

  /**
   * Opens `name` in this directory with `flags` plus O_NOFOLLOW (a symbolic link there is never followed:
   * ELOOP, or with O_PATH the link itself) and checks the descriptor before it is returned.
   */
  async openEntry(name: string, flags: number): Promise<FileHandle> {
    const handle = await fs.open(this.entryPath(name), flags | constants.O_NOFOLLOW);
    try {
      this.check(handle, name);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  /** The subdirectory `name`, never through a symbolic link (ENOTDIR when `name` is a link or a file). */
  async openSubdirectory(name: string): Promise<OpenDirectory> {
    const handle = await fs.open(this.entryPath(name), directoryFlags | constants.O_NOFOLLOW);
    return await OpenDirectory.checked(this.guard, this.requested, handle, path.join(this.path, name));
  }

  /** Creates the subdirectory `name` unless it exists, then opens it (openSubdirectory). */
  async makeSubdirectory(name: string): Promise<OpenDirectory> {
    try {
      await fs.mkdir(this.entryPath(name));
    } catch (error) {
      if (!isErrnoCode(error, 'EEXIST')) throw error;
    }
    return await this.openSubdirectory(name);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

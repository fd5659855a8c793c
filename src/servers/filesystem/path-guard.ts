import type { Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { expandHome } from '../../config/home-path.js';
import { FilesystemRootError } from '../../errors/filesystem-root-error.js';
import { InvalidPathError } from '../../errors/invalid-path-error.js';
import { PathNotFoundError } from '../../errors/path-not-found-error.js';
import { PathOutsideRootsError } from '../../errors/path-outside-roots-error.js';
import { UnsafeWriteTargetError } from '../../errors/unsafe-write-target-error.js';
import { descriptorRealPath } from './descriptor-path.js';
import { fileOperationFailure, fileOperationRefusal, isErrnoCode } from './file-operation-failure.js';

/** Where a write, edit, move or mkdir may land: a real path whose existing part lies inside a root. */
export interface WriteTarget {
  /** Absolute path with every existing component resolved to its real path; act on this, never on the request. */
  path: string;
  /** `lstat` of the target when it exists (never a symbolic link). */
  stats: Stats | undefined;
  /** How many trailing components do not exist yet: 0 when the target exists, 1 when only its parent does. */
  missingComponents: number;
}

export interface WriteTargetOptions {
  /** Refuse a regular file with more than one hard link (write_file, edit_file). */
  refuseHardLinks: boolean;
}

/** An existing file or directory opened by the guard, its descriptor checked inside a root. */
export interface OpenedPath {
  /** Close it when done. */
  handle: FileHandle;
  /** The real path it was resolved to and opened by (for messages; reach the file through `handle`). */
  path: string;
}

/**
 * Keeps every path inside the allowed roots. Each request is expanded (`~`), resolved against the first root,
 * checked lexically, then resolved to its real path (links followed) and checked again; a path that does not
 * exist yet is checked through the real path of its nearest existing ancestor. Targets of writes must not be
 * symbolic links themselves, and written files must not be hard-linked elsewhere. Those checks are on paths,
 * which another process can change before the open: what was actually opened is checked again on its
 * descriptor (checkDescriptor) before anything is read or created through it.
 */
export class PathGuard {
  /** Real paths of the roots; the first is the base for relative paths. */
  readonly roots: readonly string[];
  /** Roots as given (absolute, not link-resolved), so that a request naming a root through an alias passes the lexical check. */
  private readonly requestedRoots: readonly string[];

  private constructor(roots: string[], requestedRoots: string[]) {
    this.roots = Object.freeze(roots);
    this.requestedRoots = Object.freeze(requestedRoots);
  }

  /** Resolves each root (absolute, relative to `cwd`, or `~`) to its real path; fails if one is missing or not a directory. */
  static async create(roots: readonly string[], cwd: string = process.cwd()): Promise<PathGuard> {
    if (roots.length === 0) {
      throw new FilesystemRootError('', 'list is empty: the filesystem server needs at least one root directory');
    }
    const realRoots: string[] = [];
    const requestedRoots: string[] = [];
    for (const root of roots) {
      if (root.includes('\0')) throw new FilesystemRootError(root, 'contains a null byte');
      const absolute = path.resolve(cwd, expandHome(root));
      let real: string;
      try {
        real = await fs.realpath(absolute);
      } catch (error) {
        throw new FilesystemRootError(root, `does not exist (resolved to ${absolute})`, { cause: error });
      }
      const stats = await fs.stat(real);
      if (!stats.isDirectory()) throw new FilesystemRootError(root, `is not a directory (resolved to ${real})`);
      if (!realRoots.includes(real)) realRoots.push(real);
      if (!requestedRoots.includes(absolute)) requestedRoots.push(absolute);
    }
    return new PathGuard(realRoots, requestedRoots);
  }

  /** Whether an absolute, normalized path equals a real root or lies beneath one. */
  isInsideRoots(absolutePath: string): boolean {
    return this.roots.some((root) => isWithin(absolutePath, root));
  }

  /** Whether `absolutePath` is a root or a directory above one (moving it would move a root). */
  holdsRoot(absolutePath: string): boolean {
    return this.roots.some((root) => isWithin(root, absolutePath));
  }

  /**
   * An existing file or directory to read or list: links are followed and the real path must be inside a root.
   * Throws PathOutsideRootsError, PathNotFoundError or InvalidPathError.
   */
  async resolveExisting(requested: string): Promise<string> {
    const absolute = this.toAbsolute(requested);
    try {
      return this.checkReal(requested, await fs.realpath(absolute));
    } catch (error) {
      if (!isErrnoCode(error, 'ENOENT') && !isErrnoCode(error, 'ENOTDIR')) {
        if (isErrnoCode(error, 'ELOOP')) {
          throw fileOperationFailure(error, 'resolve', requested);
        }
        throw error;
      }
    }
    // Missing: say "outside" if its existing part already leads out, so nothing about the outside leaks.
    const ancestor = await this.nearestExistingAncestor(requested, absolute, 'read');
    throw new PathNotFoundError(requested, path.join(ancestor.real, ...ancestor.missing));
  }

  /**
   * Opens an existing file or directory (resolveExisting, then an open of the real path with `flags`) and checks
   * the descriptor, so that nothing outside the roots is read through it whatever changed since the check.
   * Throws as resolveExisting does, PathOutsideRootsError when what was opened lies outside, or the open's error.
   */
  async openExisting(requested: string, flags: number): Promise<OpenedPath> {
    const real = await this.resolveExisting(requested);
    let handle: FileHandle;
    try {
      handle = await fs.open(real, flags);
    } catch (error) {
      // Gone since it was resolved: say why as resolveExisting does (outside, not found) when it can.
      if (isErrnoCode(error, 'ENOENT')) await this.resolveExisting(requested);
      throw error;
    }
    try {
      this.checkDescriptor(requested, handle.fd, real);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return { handle, path: real };
  }

  /**
   * Checks what a descriptor opened for `requested` (by `openedPath`) really is: its real path as the kernel
   * holds it (/proc/self/fd) must lie inside a root. Returns that path; throws PathOutsideRootsError.
   */
  checkDescriptor(requested: string, fd: number, openedPath: string): string {
    return this.checkReal(requested, descriptorRealPath(fd, openedPath));
  }

  /**
   * A path to create or replace. The last component must not be a symbolic link; the existing part of the path
   * is resolved to its real path and must be inside a root. With `refuseHardLinks`, an existing regular file with
   * more than one link is refused.
   */
  async resolveWriteTarget(requested: string, options: WriteTargetOptions): Promise<WriteTarget> {
    const absolute = this.toAbsolute(requested);
    let stats: Stats | undefined;
    try {
      stats = await fs.lstat(absolute);
    } catch (error) {
      if (!isErrnoCode(error, 'ENOENT') && !isErrnoCode(error, 'ENOTDIR')) throw error;
    }
    if (stats === undefined) {
      const ancestor = await this.nearestExistingAncestor(requested, absolute, 'write');
      return {
        path: path.join(ancestor.real, ...ancestor.missing),
        stats: undefined,
        missingComponents: ancestor.missing.length,
      };
    }
    if (stats.isSymbolicLink()) {
      // Refused either way; say "outside" when the link (or a directory above it) leads out of the roots.
      const parent = path.dirname(absolute);
      const realParent = await fs.realpath(parent).catch(() => parent);
      this.checkReal(requested, path.join(realParent, path.basename(absolute)));
      const linkTarget = await fs.realpath(absolute).catch(() => undefined);
      if (linkTarget !== undefined) this.checkReal(requested, linkTarget);
      throw new UnsafeWriteTargetError(requested, 'symbolic-link');
    }
    // The last component is no link, but a directory above it may be: resolve those.
    const real = this.checkReal(requested, await fs.realpath(absolute));
    const realStats = await fs.lstat(real);
    if (realStats.isSymbolicLink()) throw new UnsafeWriteTargetError(requested, 'symbolic-link');
    if (options.refuseHardLinks && realStats.isFile() && realStats.nlink > 1) {
      throw new UnsafeWriteTargetError(requested, 'hard-link', String(realStats.nlink));
    }
    return { path: real, stats: realStats, missingComponents: 0 };
  }

  /** Expands `~`, resolves against the first root, and checks the result lexically against the roots. */
  private toAbsolute(requested: string): string {
    if (requested.includes('\0')) throw new InvalidPathError(requested, 'it contains a null byte');
    if (process.platform !== 'win32' && /^[A-Za-z]:([\\/]|$)/.test(requested)) {
      throw new InvalidPathError(
        requested,
        'a Windows drive path cannot name a file on this POSIX system; use a POSIX path',
      );
    }
    const base = this.roots[0] as string;
    const absolute = path.resolve(base, expandHome(requested));
    const lexicallyInside =
      this.isInsideRoots(absolute) || this.requestedRoots.some((root) => isWithin(absolute, root));
    if (!lexicallyInside) throw new PathOutsideRootsError(requested, absolute, this.roots);
    return absolute;
  }

  private checkReal(requested: string, real: string): string {
    if (!this.isInsideRoots(real)) throw new PathOutsideRootsError(requested, real, this.roots);
    return real;
  }

  /**
   * Walks up from a path that does not exist to the nearest ancestor that does (by lstat, so a dangling link is
   * found, not skipped), resolves that ancestor's real path and checks it. Components below it are truly absent.
   */
  private async nearestExistingAncestor(
    requested: string,
    absolute: string,
    purpose: 'read' | 'write',
  ): Promise<{ real: string; missing: string[] }> {
    const missing: string[] = [];
    let current = absolute;
    for (;;) {
      const parent = path.dirname(current);
      if (parent === current) throw new PathOutsideRootsError(requested, absolute, this.roots);
      missing.unshift(path.basename(current));
      current = parent;
      try {
        await fs.lstat(current);
        break;
      } catch (error) {
        if (!isErrnoCode(error, 'ENOENT') && !isErrnoCode(error, 'ENOTDIR')) throw error;
      }
    }
    let real: string;
    try {
      real = await fs.realpath(current);
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ELOOP')) {
        // `current` exists but cannot be resolved: a dangling or looping symbolic link.
        if (purpose === 'read') throw new PathNotFoundError(requested, absolute);
        throw new UnsafeWriteTargetError(requested, 'symbolic-link');
      }
      throw error;
    }
    this.checkReal(requested, real);
    const realStats = await fs.stat(real);
    if (!realStats.isDirectory()) {
      if (purpose === 'read') throw new PathNotFoundError(requested, absolute);
      throw fileOperationRefusal(
        requested,
        'ENOTDIR',
        `Cannot use ${JSON.stringify(requested)}: ${real} is a file, not a directory.`,
      );
    }
    return { real, missing };
  }
}

/** Equal to `root` or beneath it: `/x/root-evil` is not within `/x/root`. */
export function isWithin(candidate: string, root: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}

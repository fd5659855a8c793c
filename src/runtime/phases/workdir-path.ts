import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

/**
 * Where a condition's path leads: an existing file or directory inside the workdir (its real path), nothing
 * (a path inside the workdir that names nothing yet), or a refusal in words (outside the workdir, unreadable).
 */
export type WorkdirPathResolution =
  { kind: 'inside'; realPath: string } | { kind: 'missing'; path: string } | { kind: 'refused'; reason: string };

/**
 * Resolves `requested` (relative to the workdir, or absolute) and follows every symbolic link, so that neither
 * `..` nor a link can lead a check outside `workdirRealPath` (which must itself be a real path). Nothing is
 * opened: the caller reads `realPath`, which lies inside.
 */
export async function resolveWorkdirPath(workdirRealPath: string, requested: string): Promise<WorkdirPathResolution> {
  if (requested.includes('\0')) return { kind: 'refused', reason: 'the path contains a null byte' };
  const lexicalPath = resolve(workdirRealPath, requested);
  const outside = (where: string): WorkdirPathResolution => ({
    kind: 'refused',
    reason:
      `it resolves to ${where}${isInside(workdirRealPath, lexicalPath) ? ' through a symbolic link' : ''}, outside the workdir ${workdirRealPath}; ` +
      'conditions may only check paths inside the workdir',
  });
  try {
    const realPath = await realpath(lexicalPath);
    return isInside(workdirRealPath, realPath) ? { kind: 'inside', realPath } : outside(realPath);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const wouldBe = await realPathOfMissing(lexicalPath);
      if (wouldBe !== undefined && !isInside(workdirRealPath, wouldBe)) return outside(wouldBe);
      return { kind: 'missing', path: lexicalPath };
    }
    if (code === 'ELOOP') return { kind: 'refused', reason: 'it goes through a loop of symbolic links' };
    if (code === 'EACCES') return { kind: 'refused', reason: 'permission denied on a directory on its way' };
    return { kind: 'refused', reason: `it cannot be resolved (${code ?? String(error)})` };
  }
}

/** Whether `path` is `root` or below it (both absolute, normalised). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/** The real path a missing file would have: its nearest existing ancestor resolved, plus the rest. */
async function realPathOfMissing(path: string): Promise<string | undefined> {
  const rest: string[] = [];
  let ancestor = path;
  while (dirname(ancestor) !== ancestor) {
    rest.unshift(basename(ancestor));
    ancestor = dirname(ancestor);
    try {
      return join(await realpath(ancestor), ...rest);
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
    }
  }
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

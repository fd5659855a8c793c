import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The most a file of the project (config.json, swarm.json, a goal, a prompt file) may hold. A real one is a few
 * kilobytes; the cap keeps a link to /dev/zero or a log named by mistake from filling the memory.
 */
export const MAX_PROJECT_FILE_BYTES = 4 * 1024 * 1024;

/** A project file's text, or the problem in words (and the errno code where the system gave one). */
export type ProjectFileRead = { ok: true; text: string } | { ok: false; problem: string; code?: string };

/**
 * Reads a project file as UTF-8 text: only a regular file (links followed; a directory, device, pipe or socket is
 * refused before anything is read), at most `maxBytes` bytes, valid UTF-8 without NUL bytes (a binary file is refused).
 * A leading byte-order mark is dropped.
 */
export function readProjectFile(path: string, maxBytes = MAX_PROJECT_FILE_BYTES): ProjectFileRead {
  let descriptor: number | undefined;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { ok: false, problem: `${path} is a directory, not a file`, code: 'EISDIR' };
    if (!stat.isFile())
      return {
        ok: false,
        problem: `${path} is not a regular file (a device, pipe or socket); point it at a file`,
        code: 'ENOTREG',
      };
    if (stat.size > maxBytes)
      return {
        ok: false,
        problem: `${path} is ${megabytes(stat.size)}; a project file may hold at most ${megabytes(maxBytes)}`,
        code: 'EFBIG',
      };
    descriptor = openSync(path, 'r');
    // Read at most one byte past the cap: a file that grows while it is read is refused, not read without end.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(stat.size + 1, 1)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const read = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes)
      return {
        ok: false,
        problem: `${path} is larger than ${megabytes(maxBytes)}, the most a project file may hold`,
        code: 'EFBIG',
      };
    return decodeText(buffer.subarray(0, length), path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: `cannot be read (${code ?? String(error)}) at ${path}`, ...(code ? { code } : {}) };
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function decodeText(bytes: Buffer, path: string): ProjectFileRead {
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    return {
      ok: false,
      problem: `${path} is a binary file, not text (a NUL byte on line ${lineOf(bytes, nul)}); give a UTF-8 text file`,
      code: 'EBINARY',
    };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    return {
      ok: false,
      problem: `${path} is not UTF-8 text (a binary file?); give a UTF-8 text file`,
      code: 'EBINARY',
    };
  }
}

function lineOf(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let index = bytes.indexOf(10); index >= 0 && index < offset; index = bytes.indexOf(10, index + 1)) line += 1;
  return line;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB` : `${bytes} bytes`;
}

import type { RunEvent } from './event-schema.js';

/**
 * Writes each event as one JSON line. On Linux, process.stdout is synchronous for files and pipes, so lines
 * are complete and in order even when the process exits right after; a reader that went away is ignored.
 */
export function createNdjsonWriter(stream: NodeJS.WritableStream = process.stdout): (event: RunEvent) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
    else throw error;
  });
  return (event) => {
    if (!closed) stream.write(`${JSON.stringify(event)}\n`);
  };
}

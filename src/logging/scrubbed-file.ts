import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SecretScrubber } from './secret-scrubber.js';

/** Whether the file holds a secret: read as bytes in chunks, each looked at with the end of the one before. */
export async function fileHoldsSecret(path: string, scrubber: SecretScrubber): Promise<boolean> {
  if (scrubber.size === 0) return false;
  const bytes = scrubber.forBytes();
  let previous = '';
  for await (const chunk of createReadStream(path)) {
    const text = previous + (chunk as Buffer).toString('latin1');
    if (bytes.contains(text)) return true;
    previous = text.slice(Math.max(0, text.length - bytes.maxLength + 1));
  }
  return false;
}

/** Copies `source` to `target` with every secret replaced, streaming (any size, text or not). */
export async function writeScrubbedCopy(source: string, target: string, scrubber: SecretScrubber): Promise<void> {
  const scrubbing = scrubber.forBytes().stream();
  await pipeline(
    createReadStream(source),
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        done(null, Buffer.from(scrubbing.push(chunk.toString('latin1')), 'latin1'));
      },
      flush(done) {
        done(null, Buffer.from(scrubbing.end(), 'latin1'));
      },
    }),
    createWriteStream(target),
  );
}

/**
 * Scrubs a file mux-swarm wrote from a program's output, in place (a scrubbed copy renamed over it), when it holds a
 * secret; a missing or unreadable file is left as it is. Returns whether it was rewritten.
 */
export async function scrubFileInPlace(path: string, scrubber: SecretScrubber): Promise<boolean> {
  try {
    if (!(await fileHoldsSecret(path, scrubber))) return false;
  } catch {
    return false;
  }
  const temporary = `${path}.${process.pid}.scrubbing`;
  try {
    await writeScrubbedCopy(path, temporary, scrubber);
    await rename(temporary, path);
    return true;
  } finally {
    await rm(temporary, { force: true });
  }
}

import type { Readable } from 'node:stream';

/**
 * Resolves when every stream has closed, or after `timeoutMs`, destroying those still open. For a child's
 * pipes after its process group is gone: a process that left the group (setsid) may still hold them.
 */
export async function waitForStreamsToClose(streams: readonly (Readable | null)[], timeoutMs: number): Promise<void> {
  const open = streams.filter((stream): stream is Readable => stream !== null && !stream.closed);
  if (open.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const closed = Promise.all(
    open.map((stream) => new Promise<void>((resolve) => stream.once('close', () => resolve()))),
  );
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([closed, expired]);
  clearTimeout(timer);
  for (const stream of open) if (!stream.closed) stream.destroy();
}

import { MuxSwarmError } from './mux-swarm-error.js';

export type UnsafeWriteReason = 'symbolic-link' | 'hard-link';

/**
 * A write, edit or move whose target could change a file other than the one named: the last component is a
 * symbolic link, or a regular file with more than one hard link (another name, possibly outside the roots).
 */
export class UnsafeWriteTargetError extends MuxSwarmError {
  readonly requestedPath: string;
  readonly reason: UnsafeWriteReason;

  constructor(requestedPath: string, reason: UnsafeWriteReason, detail?: string) {
    const what =
      reason === 'symbolic-link'
        ? 'is a symbolic link; writes, edits and moves never go through links. Use the real path of the file instead'
        : `is a file with ${detail ?? 'several'} hard links, so changing it could change a file outside the allowed directories. ` +
          'Write the content to a new file instead';
    super('unsafe_write_target', `Refused: ${JSON.stringify(requestedPath)} ${what}.`);
    this.requestedPath = requestedPath;
    this.reason = reason;
  }
}

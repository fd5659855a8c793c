import { MuxSwarmError } from './mux-swarm-error.js';

/**
 * A filesystem operation inside the allowed roots that the operating system refused or that makes no sense
 * (a directory read as a file, a move onto an existing path). `reason` is the errno code or a short word.
 */
export class FileOperationError extends MuxSwarmError {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, message: string, options?: { cause?: unknown }) {
    super('file_operation_failed', message, options);
    this.path = path;
    this.reason = reason;
  }
}

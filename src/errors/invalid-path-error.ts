import { MuxSwarmError } from './mux-swarm-error.js';

/** A path argument that cannot name a file at all (a null byte, a Windows drive path on POSIX). */
export class InvalidPathError extends MuxSwarmError {
  readonly requestedPath: string;

  constructor(requestedPath: string, reason: string) {
    super('path_invalid', `Invalid path ${JSON.stringify(requestedPath)}: ${reason}`);
    this.requestedPath = requestedPath;
  }
}

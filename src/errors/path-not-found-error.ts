import { MuxSwarmError } from './mux-swarm-error.js';

/** A path inside the allowed roots that names nothing. */
export class PathNotFoundError extends MuxSwarmError {
  readonly requestedPath: string;
  readonly resolvedPath: string;

  constructor(requestedPath: string, resolvedPath: string) {
    const via = requestedPath === resolvedPath ? '' : ` (resolved to ${resolvedPath})`;
    super(
      'path_not_found',
      `No such file or directory: ${JSON.stringify(requestedPath)}${via}. ` +
        'Check the name with list_directory or search_files.',
    );
    this.requestedPath = requestedPath;
    this.resolvedPath = resolvedPath;
  }
}

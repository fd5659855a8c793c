import { MuxSwarmError } from './mux-swarm-error.js';

/**
 * A path that is, or resolves through `..`, `~` or a symbolic link to, a place outside every allowed root.
 * `resolvedPath` is where it led (lexically or after following links); nothing was read or written there.
 */
export class PathOutsideRootsError extends MuxSwarmError {
  readonly requestedPath: string;
  readonly resolvedPath: string;
  readonly roots: readonly string[];

  constructor(requestedPath: string, resolvedPath: string, roots: readonly string[]) {
    const via = requestedPath === resolvedPath ? '' : ` (it resolves to ${resolvedPath})`;
    super(
      'path_outside_roots',
      `Access denied: ${JSON.stringify(requestedPath)} is outside the allowed directories${via}. ` +
        `Allowed directories: ${roots.join(', ')}. Use a path inside one of them ` +
        '(relative paths are resolved against the first); list_allowed_directories shows them.',
    );
    this.requestedPath = requestedPath;
    this.resolvedPath = resolvedPath;
    this.roots = roots;
  }
}

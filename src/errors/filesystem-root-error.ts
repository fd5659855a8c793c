import { MuxSwarmError } from './mux-swarm-error.js';

/** An allowed root given to the filesystem server that is missing or not a directory. */
export class FilesystemRootError extends MuxSwarmError {
  readonly root: string;

  constructor(root: string, problem: string, options?: { cause?: unknown }) {
    super(
      'filesystem_root_invalid',
      `Filesystem server root ${JSON.stringify(root)} ${problem}. ` +
        "Create the directory or fix filesystem.allowedRoots (or the server's options.roots) in the configuration.",
      options,
    );
    this.root = root;
  }
}

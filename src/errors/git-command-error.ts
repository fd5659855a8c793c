import { MuxSwarmError } from './mux-swarm-error.js';

/** A git command the experiment loop needed failed: which one, in which workdir, and what git said. */
export class GitCommandError extends MuxSwarmError {
  constructor(
    readonly args: readonly string[],
    readonly workdir: string,
    readonly detail: string,
  ) {
    super('loop_git_failed', `the experiment loop could not run \`git ${args.join(' ')}\` in ${workdir}: ${detail}`);
  }
}

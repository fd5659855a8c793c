import { gitEnvironment } from './child-environment.js';
import { captureChild, type CapturedChild, type CaptureOptions } from './spawn-child.js';

/** How one git command runs: where, with which extra environment, and what is done with its output. */
export interface GitRunOptions extends Pick<CaptureOptions, 'input' | 'onStdout' | 'maxOutputBytes'> {
  /** The directory git starts in; callers that name the repository with `-C` leave it out. */
  cwd?: string;
  /** Set on top of git's allow-listed environment (which already turns terminal prompts off). */
  env?: Readonly<Record<string, string>>;
}

/**
 * The one way mux-swarm runs git (the experiment loop's workdir and the PostgreSQL hub's bundles, notes and
 * scratch worktrees alike): spawned without a shell, with git's allow-listed environment, never prompting. It
 * reports what git did and throws nothing: each caller words a failure in its own error.
 */
export function runGit(args: readonly string[], options: GitRunOptions = {}): Promise<CapturedChild> {
  const { cwd, env, ...capture } = options;
  return captureChild(
    { file: 'git', args: [...args], ...(cwd === undefined ? {} : { cwd }), env: gitEnvironment(env) },
    capture,
  );
}

/**
 * Variables every child process gets from mux-swarm's own environment when they are set: enough for programs
 * to find executables, a home directory, a locale, a terminal type, a temp directory and their GPUs, and nothing that
 * usually holds a secret. Everything else (API keys included) must be passed on purpose.
 */
export const MINIMAL_ENVIRONMENT_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TERM',
  'TMPDIR',
  // Which GPUs a job may use: honoured inside the sandbox as outside.
  'CUDA_VISIBLE_DEVICES',
  'HIP_VISIBLE_DEVICES',
];

export interface ChildEnvironmentOptions {
  /** Names copied from `source` besides the minimal set, e.g. a shell server's `passEnv`. */
  passEnv?: readonly string[];
  /** Explicit values, e.g. a stdio server's configured `env`; they win over inherited ones. */
  set?: Readonly<Record<string, string>>;
  /** Where inherited values come from; defaults to `process.env`. */
  source?: NodeJS.ProcessEnv;
}

/** The whole environment of a child process: minimal set + passEnv from `source`, then `set`. */
export function buildChildEnvironment(options: ChildEnvironmentOptions = {}): Record<string, string> {
  const source = options.source ?? process.env;
  const environment: Record<string, string> = {};
  for (const name of [...MINIMAL_ENVIRONMENT_NAMES, ...(options.passEnv ?? [])]) {
    const value = source[name];
    // Exported shell functions ("() { …") are skipped, as the MCP SDK does: they are code, not configuration.
    if (value === undefined || value.startsWith('()')) continue;
    environment[name] = value;
  }
  return { ...environment, ...options.set };
}

/** What git needs of mux-swarm's environment besides the minimal set: who commits, how it reaches remotes, its config. */
const GIT_ENVIRONMENT_NAMES = [
  'SSH_AUTH_SOCK',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'XDG_CONFIG_HOME',
];

/** git's environment: the minimal set, its own variables, and `set` (never the API keys of ours: hooks run in it). */
export function gitEnvironment(set: Readonly<Record<string, string>> = {}): Record<string, string> {
  return buildChildEnvironment({ passEnv: GIT_ENVIRONMENT_NAMES, set: { GIT_TERMINAL_PROMPT: '0', ...set } });
}

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runGit } from '../../supervisor/run-git.js';
import { GitCommandError } from '../../errors/git-command-error.js';

/** Commit author when git has none configured: an unattended loop must not stop for `user.email`. */
const FALLBACK_IDENTITY = ['-c', 'user.name=mux-swarm', '-c', 'user.email=mux-swarm@localhost'];
/** Commits are never signed nor hooked: a prompt or a failing pre-commit hook would stall the loop. */
const COMMIT_SETTINGS = ['-c', 'commit.gpgsign=false'];
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Files a status lists as changed against HEAD, relative to the workdir. */
export interface WorkdirChanges {
  /** Tracked files modified, deleted or staged. */
  tracked: string[];
  /** Files git does not track and does not ignore. */
  untracked: string[];
}

/**
 * The git repository the loop keeps and discards experiments in, seen from the workdir: every command runs in the
 * workdir and is limited to it (`-- .`), paths in and out are relative to it. Real git, spawned; an error names
 * the command and repeats what git said.
 */
export class GitWorkdir {
  private constructor(
    readonly workdir: string,
    /** The workdir's path inside the repository ("" at its top), as git prints it: ending in "/". */
    private readonly prefix: string,
    private readonly identity: readonly string[],
  ) {}

  /**
   * Opens the repository the workdir is in. When there is none, one is created in the workdir (`git init`) and
   * what is there becomes its first commit; `created` says so. `excluded` (workdir paths: the state directory,
   * the experiment's outputs) go to `.git/info/exclude` first, so they are never committed.
   */
  static async open(
    workdir: string,
    options: { excluded: readonly string[] },
  ): Promise<{ git: GitWorkdir; created: boolean }> {
    let created = false;
    let prefix: string;
    try {
      prefix = (await git(workdir, ['rev-parse', '--show-prefix'])).trim();
    } catch (error) {
      if (!(error instanceof GitCommandError) || !/not a git repository/i.test(error.detail)) throw error;
      await git(workdir, ['init', '-q']);
      created = true;
      prefix = '';
    }
    const configured = await git(workdir, ['config', 'user.email']).then(
      (email) => email.trim() !== '',
      () => false,
    );
    const repository = new GitWorkdir(workdir, prefix, configured ? [] : FALLBACK_IDENTITY);
    await repository.exclude(options.excluded);
    if ((await repository.head()) === undefined)
      await repository.commitChanges('mux-swarm: the workdir before the experiment loop', options.excluded, {
        allowEmpty: true,
      });
    return { git: repository, created };
  }

  /** The commit HEAD names; undefined in a repository without commits. */
  async head(): Promise<string | undefined> {
    return this.run(['rev-parse', '--verify', '-q', 'HEAD']).then(
      (sha) => sha.trim(),
      () => undefined,
    );
  }

  /** HEAD's whole commit message. */
  async headMessage(): Promise<string> {
    return this.run(['log', '-1', '--format=%B']);
  }

  /** Adds workdir paths to `.git/info/exclude` (the repository's own ignore list, not a tracked file), once each. */
  async exclude(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const file = resolve(this.workdir, (await this.run(['rev-parse', '--git-path', 'info/exclude'])).trim());
    const present = new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []);
    const lines = paths
      .map((path) => `/${this.prefix}${path}`.replace(/\/+$/, ''))
      .filter((line) => !present.has(line));
    if (lines.length === 0) return;
    mkdirSync(dirname(file), { recursive: true });
    const text = present.size > 0 && !readFileSync(file, 'utf8').endsWith('\n') ? '\n' : '';
    appendFileSync(file, `${text}# mux-swarm experiment loop\n${lines.join('\n')}\n`);
  }

  /**
   * What differs from HEAD in the workdir, `excluded` paths left out. Untracked files are listed one by one, or
   * with `untrackedDirectories` a directory git does not track at all as one entry (`out/`).
   */
  async changes(
    excluded: readonly string[],
    options: { untrackedDirectories?: boolean } = {},
  ): Promise<WorkdirChanges> {
    const untracked = options.untrackedDirectories ? '--untracked-files=normal' : '--untracked-files=all';
    const output = await this.run([
      'status',
      '--porcelain=v1',
      '-z',
      untracked,
      '--no-renames',
      '--',
      '.',
      ...excludeSpecs(excluded),
    ]);
    const changes: WorkdirChanges = { tracked: [], untracked: [] };
    for (const entry of output.split('\0')) {
      if (entry.length < 4) continue;
      const path = this.fromRoot(entry.slice(3));
      if (entry.startsWith('??')) changes.untracked.push(path);
      else changes.tracked.push(path);
    }
    return changes;
  }

  /** Commits every change in the workdir but `excluded`; returns the new commit. */
  async commitChanges(
    message: string,
    excluded: readonly string[],
    options: { allowEmpty?: boolean } = {},
  ): Promise<string> {
    // Added, then taken out again: `add` refuses an exclude pathspec that names an ignored path.
    await this.run(['add', '-A', '--', '.']);
    if (excluded.length > 0) await this.run(['reset', '-q', '--', ...excluded.map((path) => `:(literal)${path}`)]);
    await this.run([
      ...this.identity,
      ...COMMIT_SETTINGS,
      'commit',
      '-q',
      '--no-verify',
      ...(options.allowEmpty ? ['--allow-empty'] : []),
      '-m',
      message,
    ]);
    return (await this.head())!;
  }

  /** Files a commit changed, relative to the workdir; with `patterns`, only those matching one (git glob pathspecs). */
  async filesChangedBy(commit: string, patterns?: readonly string[]): Promise<string[]> {
    const specs = patterns === undefined ? [] : ['--', ...patterns.map((pattern) => `:(glob)${pattern}`)];
    const output = await this.run([
      'diff-tree',
      '--no-commit-id',
      '--name-only',
      '-r',
      '-z',
      '--relative',
      '--root',
      commit,
      ...specs,
    ]);
    return output.split('\0').filter((path) => path !== '');
  }

  /**
   * Undoes `commit` with a new commit (`git revert --no-commit`, then a commit with `message`): history keeps
   * both the experiment and its undoing. A revert that does not apply cleanly is aborted and reported.
   */
  async revert(commit: string, message: string): Promise<string> {
    try {
      await this.run(['revert', '--no-commit', commit]);
    } catch (error) {
      await this.run(['revert', '--abort']).catch(() => {});
      throw error;
    }
    await this.run([
      ...this.identity,
      ...COMMIT_SETTINGS,
      'commit',
      '-q',
      '--no-verify',
      '--allow-empty',
      '-m',
      `${message}\n\nThis reverts commit ${commit}.`,
    ]);
    return (await this.head())!;
  }

  /** Puts tracked files back as HEAD has them. */
  async restore(paths: readonly string[]): Promise<void> {
    if (paths.length > 0) await this.run(['checkout', 'HEAD', '--', ...paths.map((path) => `:(literal)${path}`)]);
  }

  private run(args: string[]): Promise<string> {
    return git(this.workdir, args);
  }

  /** A path git printed relative to the repository's top, made relative to the workdir. */
  private fromRoot(path: string): string {
    return path.startsWith(this.prefix) ? path.slice(this.prefix.length) : path;
  }
}

function excludeSpecs(paths: readonly string[]): string[] {
  return paths.map((path) => `:(exclude,literal)${path}`);
}

/** Runs git in `cwd`; resolves with its stdout, rejects with a GitCommandError carrying its stderr. */
async function git(cwd: string, args: string[]): Promise<string> {
  const outcome = await runGit(args, { cwd, maxOutputBytes: MAX_OUTPUT_BYTES });
  if (outcome.spawnError === undefined && outcome.code === 0) return outcome.stdout;
  const detail =
    outcome.spawnError?.code === 'ENOENT'
      ? 'git is not installed or not on PATH; the experiment loop keeps and discards experiments through git'
      : outcome.stderr.trim() || outcome.spawnError?.message || `exit ${outcome.code ?? outcome.signal}`;
  throw new GitCommandError(args, cwd, detail);
}

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { finishCutOffRevert } from '../../../src/runtime/loop/experiment-iteration.js';
import { GitCommandError } from '../../../src/errors/git-command-error.js';
import { GitWorkdir } from '../../../src/runtime/loop/git-workdir.js';
import type { LoopContext } from '../../../src/runtime/loop/loop-context.js';
import type { ExperimentResults } from '../../../src/state/experiment-results.js';

const IDENTITY = ['-c', 'user.name=test', '-c', 'user.email=test@example.com'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8' }).trim();
}

describe("the loop's git workdir", () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  function directory(): string {
    const created = realpathSync(mkdtempSync(join(tmpdir(), 'mux-swarm-git-')));
    directories.push(created);
    return created;
  }

  it('creates a repository when the workdir is none, commits what is there, and leaves the state directory out', async () => {
    const workdir = directory();
    writeFileSync(join(workdir, 'train.py'), 'print(1)\n');
    mkdirSync(join(workdir, '.mux-swarm'));
    writeFileSync(join(workdir, '.mux-swarm', 'state.db'), 'x');
    const { git: repository, created } = await GitWorkdir.open(workdir, { excluded: ['.mux-swarm', 'metric.json'] });
    assert.equal(created, true);
    assert.equal(git(workdir, 'ls-files'), 'train.py');
    assert.equal(git(workdir, 'log', '--format=%s'), 'mux-swarm: the workdir before the experiment loop');
    assert.match(readFileSync(join(workdir, '.git', 'info', 'exclude'), 'utf8'), /^\/\.mux-swarm\n\/metric\.json\n/m);
    writeFileSync(join(workdir, 'metric.json'), '{}');
    assert.deepEqual(await repository.changes([]), { tracked: [], untracked: [] }, 'excluded files are not changes');

    const again = await GitWorkdir.open(workdir, { excluded: ['.mux-swarm', 'metric.json'] });
    assert.equal(again.created, false);
    assert.equal(
      readFileSync(join(workdir, '.git', 'info', 'exclude'), 'utf8').match(/\/\.mux-swarm/g)?.length,
      1,
      'excluded once',
    );
  });

  it('works inside a larger repository: paths relative to the workdir, commits limited to it', async () => {
    const root = directory();
    const workdir = join(root, 'experiments', 'a');
    mkdirSync(workdir, { recursive: true });
    writeFileSync(join(root, 'README.md'), 'root\n');
    writeFileSync(join(workdir, 'params.json'), '{"lr": 0.1}\n');
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'start');
    const { git: repository, created } = await GitWorkdir.open(workdir, { excluded: ['metric.json'] });
    assert.equal(created, false);

    writeFileSync(join(workdir, 'params.json'), '{"lr": 0.2}\n');
    mkdirSync(join(workdir, 'src'));
    writeFileSync(join(workdir, 'src', 'model.py'), 'x = 1\n');
    writeFileSync(join(root, 'README.md'), 'changed outside the workdir\n');
    assert.deepEqual(await repository.changes([]), { tracked: ['params.json'], untracked: ['src/model.py'] });
    const commit = await repository.commitChanges('experiment', []);
    assert.deepEqual((await repository.filesChangedBy(commit)).sort(), ['params.json', 'src/model.py']);
    assert.deepEqual(await repository.filesChangedBy(commit, ['*.json']), ['params.json']);
    assert.deepEqual(
      await repository.filesChangedBy(commit, ['src']),
      ['src/model.py'],
      'a directory covers what is under it',
    );
    assert.equal(git(root, 'status', '--porcelain'), 'M README.md', 'the change outside the workdir was not committed');

    await repository.revert(commit, 'mux-swarm: discard experiment 1 (worse)');
    assert.equal(readFileSync(join(workdir, 'params.json'), 'utf8'), '{"lr": 0.1}\n');
    assert.match(
      git(root, 'log', '-1', '--format=%B'),
      new RegExp(`^mux-swarm: discard experiment 1 \\(worse\\)\\n\\nThis reverts commit ${commit}\\.`),
    );
  });

  it('commits without a configured identity (an unattended loop must not stop for user.email)', async () => {
    const workdir = directory();
    writeFileSync(join(workdir, 'a.txt'), 'a\n');
    const saved = { global: process.env.GIT_CONFIG_GLOBAL, system: process.env.GIT_CONFIG_NOSYSTEM };
    process.env.GIT_CONFIG_GLOBAL = '/dev/null';
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    try {
      await GitWorkdir.open(workdir, { excluded: [] });
    } finally {
      for (const [name, value] of [
        ['GIT_CONFIG_GLOBAL', saved.global],
        ['GIT_CONFIG_NOSYSTEM', saved.system],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    assert.equal(git(workdir, 'log', '--format=%an <%ae>'), 'mux-swarm <mux-swarm@localhost>');
  });

  it('finishes a revert a crash cut off, once', async () => {
    const workdir = directory();
    writeFileSync(join(workdir, 'params.json'), '{"lr": 0.1}\n');
    const { git: repository } = await GitWorkdir.open(workdir, { excluded: [] });
    writeFileSync(join(workdir, 'params.json'), '{"lr": 0.9}\n');
    const commit = await repository.commitChanges('mux-swarm experiment 1: too large', []);
    const results: ExperimentResults = {
      start: undefined,
      baselines: [],
      experiments: [
        {
          schemaVersion: 1,
          kind: 'experiment',
          iteration: 1,
          commit,
          metric: 0.36,
          decision: 'discarded',
          reason: 'worse',
          hypothesis: 'too large',
          costUsd: 0,
          durationMs: 1,
          startedAt: '',
          endedAt: '',
        },
      ],
      tornTail: false,
    };
    const context = { git: repository } as LoopContext;
    await finishCutOffRevert(context, results);
    assert.equal(readFileSync(join(workdir, 'params.json'), 'utf8'), '{"lr": 0.1}\n');
    await finishCutOffRevert(context, results);
    assert.equal(
      git(workdir, 'log', '--format=%s').split('\n').length,
      3,
      'the first commit, the experiment, one revert',
    );
  });

  it('names the command and what git said when git fails', async () => {
    const workdir = directory();
    const { git: repository } = await GitWorkdir.open(workdir, { excluded: [] });
    await assert.rejects(repository.revert('0123456789abcdef0123456789abcdef01234567', 'discard'), (error: unknown) => {
      assert.ok(error instanceof GitCommandError);
      assert.match(
        error.message,
        new RegExp(
          `^the experiment loop could not run \`git revert --no-commit 0123456789abcdef0123456789abcdef01234567\` in ${workdir}: fatal: bad (object|revision)`,
        ),
      );
      return true;
    });
  });
});

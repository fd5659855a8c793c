import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Help } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { CommandOutcome } from '../../src/cli/command-outcome.js';
import { openDatabase } from '../../src/state/database.js';
import { RunStore } from '../../src/state/run-store.js';
import { CLI, runCli, TEST_HOME } from '../support/run-cli.js';

/** Whether a shell is installed here (.ci/run installs zsh and fish; a developer's machine may lack them). */
const installed = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

const OLDER_RUN = 'run-20260101-aaaa';
const NEWER_RUN = 'run-20260102-bbbb';

describe('mux-swarm completion', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-completion-'));
  const workdir = join(directory, 'workdir');
  const empty = join(directory, 'empty');
  const bin = join(directory, 'bin');
  const scripts: Record<string, string> = {};
  /** The shells find `mux-swarm` on PATH, as they would after the README's set-up. */
  const shellEnvironment = {
    PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: TEST_HOME,
  };

  before(async () => {
    for (const path of [workdir, empty, bin]) mkdirSync(path);
    symlinkSync(CLI, join(bin, 'mux-swarm'));
    const store = new RunStore(openDatabase(join(workdir, '.mux-swarm')));
    for (const [id, startedAt] of [
      [OLDER_RUN, '2026-01-01T10:00:00.000Z'],
      [NEWER_RUN, '2026-01-02T10:00:00.000Z'],
    ] as const) {
      store.createRun({
        id,
        goalName: 'g',
        goalSource: 'goals/g.md',
        goalText: '# g',
        mode: 'hierarchical',
        settings: { workdir },
        hostname: 'box',
        pid: 1,
        startedAt,
      });
    }
    store.database.close();
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await runCli(['completion', shell], { cwd: directory });
      assert.equal(result.code, 0, result.stderr);
      scripts[shell] = join(directory, `completion.${shell}`);
      writeFileSync(scripts[shell], result.stdout);
    }
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  /** What the bash script offers for a command line whose last word is being completed, in `cwd`. */
  function bashComplete(words: string[], cwd = workdir): string[] {
    const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mux_swarm_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = spawnSync('bash', ['-c', program, 'bash', scripts.bash!, ...words], {
      cwd,
      env: shellEnvironment,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    return result.stdout.split('\n').filter(Boolean);
  }

  it('bash offers every command of the program, as the program defines them', () => {
    const program = buildProgram(new CommandOutcome());
    const commands = new Help()
      .visibleCommands(program)
      .map((command) => command.name())
      .filter((name) => name !== 'help');
    assert.ok(commands.includes('run') && commands.includes('completion'));
    assert.deepEqual(bashComplete(['mux-swarm', '']).sort(), commands.sort());
    assert.deepEqual(bashComplete(['mux-swarm', 're']).sort(), ['replay', 'report', 'results', 'resume']);
  });

  it('bash offers subcommands, and the options of the command typed', () => {
    assert.deepEqual(bashComplete(['mux-swarm', 'mcp', '']).sort(), ['call', 'list', 'serve']);
    assert.deepEqual(
      bashComplete(['mux-swarm', 'completion', '']),
      ['bash', 'zsh', 'fish'],
      'an argument with choices offers them',
    );
    const runOptions = bashComplete(['mux-swarm', 'run', '--max']);
    assert.deepEqual(runOptions.sort(), ['--max-budget-usd', '--max-tokens', '--max-turns']);
    assert.ok(bashComplete(['mux-swarm', 'run', 'goals/example.md', '--']).includes('--workdir'));
    assert.ok(
      bashComplete(['mux-swarm', 'status', '--output-format', '']).includes('json'),
      'an option with choices offers them',
    );
    // A value of an option is no command: `-o mcp` writes to a file called mcp.
    assert.deepEqual(bashComplete(['mux-swarm', 'run', '-o', 'mcp', 'l']), []);
    assert.deepEqual(bashComplete(['mux-swarm', 'mcp', 'l']), ['list']);
  });

  it('bash offers the run ids of the workdir where a command takes a run, newest first', () => {
    assert.deepEqual(bashComplete(['mux-swarm', 'show', '']), [NEWER_RUN, OLDER_RUN, 'last']);
    assert.deepEqual(bashComplete(['mux-swarm', 'report', 'run-20260101']), [OLDER_RUN]);
    assert.deepEqual(
      bashComplete(['mux-swarm', 'show', '--workdir', workdir, ''], empty),
      [NEWER_RUN, OLDER_RUN, 'last'],
      '--workdir typed on the line is where the ids come from',
    );
    assert.deepEqual(
      bashComplete(['mux-swarm', 'show', ''], empty),
      [],
      'a directory without runs offers none, and says nothing',
    );
  });

  it('--list-runs never fails: no state, or a broken config.json, is no ids and exit 0', async () => {
    const listed = await runCli(['completion', '--list-runs'], { cwd: workdir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.stdout.split('\n').filter(Boolean), [NEWER_RUN, OLDER_RUN, 'last']);
    const none = await runCli(['completion', '--list-runs'], { cwd: empty });
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', '']);
    const broken = join(directory, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.json'), '{ "providers": ');
    const brokenRun = await runCli(['completion', '--list-runs'], { cwd: broken });
    assert.deepEqual([brokenRun.code, brokenRun.stdout, brokenRun.stderr], [0, '', '']);
  });

  it('names the shell it writes for: none, or one it does not know, is a usage error', async () => {
    const missing = await runCli(['completion'], { cwd: directory });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /bash, zsh, fish/);
    const unknown = await runCli(['completion', 'tcsh'], { cwd: directory });
    assert.equal(unknown.code, 2);
  });

  it('the zsh script parses (zsh -n)', { skip: !installed('zsh') && 'zsh is not installed' }, () => {
    const result = spawnSync('zsh', ['-n', scripts.zsh!], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  it(
    'the fish script parses, and fish completes commands, options and run ids with it',
    { skip: !installed('fish') && 'fish is not installed' },
    () => {
      const parse = spawnSync('fish', ['--no-execute', scripts.fish!], { encoding: 'utf8' });
      assert.equal(parse.status, 0, parse.stderr);
      const complete = (line: string): string[] => {
        const result = spawnSync('fish', ['--no-config', '-c', `source ${scripts.fish!}; complete -C '${line}'`], {
          cwd: workdir,
          env: shellEnvironment,
          encoding: 'utf8',
        });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout
          .split('\n')
          .filter(Boolean)
          .map((entry) => entry.split('\t')[0]!);
      };
      assert.ok(complete('mux-swarm ').includes('completion'));
      assert.deepEqual(complete('mux-swarm completion ').sort(), ['bash', 'fish', 'zsh']);
      assert.deepEqual(complete('mux-swarm run --max-t'), ['--max-tokens', '--max-turns']);
      assert.deepEqual(
        complete('mux-swarm show ').filter((word) => word.startsWith('run-') || word === 'last'),
        [NEWER_RUN, OLDER_RUN, 'last'],
      );
    },
  );
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GoalCheckJson } from '../../src/runtime/phases/goal-evaluation-json.js';
import { createProjectFixture, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';

const GOAL = [
  '---',
  'name: Dataset',
  '---',
  '# Build a dataset',
  '',
  '## Phase 1: Collect',
  '',
  'Done when:',
  '- `data/train.jsonl` has at least 2 records',
  '- `test -d data` exits 0',
  '',
  '## Phase 2: Evaluate',
  '',
  'Done when:',
  '- `results/eval.json` field `metrics.accuracy` >= 0.8',
  '',
  '## Phase 3: Write up',
  '',
  'Say what was learned.',
  '',
].join('\n');

describe('mux-swarm goal check', () => {
  let project: ProjectFixture;

  before(() => {
    project = createProjectFixture('mux-swarm-goal-check-');
    project.write('goal.md', GOAL);
    project.write('data/train.jsonl', '{"x":1}\n{"x":2}\n');
    project.write('results/eval.json', { metrics: { accuracy: 0.74 } });
  });

  after(() => {
    project.remove();
  });

  it('exits 1 and reports each phase, each condition and the first unmet one', async () => {
    const result = await runCli(['goal', 'check', 'goal.md'], { cwd: project.directory });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal(
      result.stdout,
      [
        'Goal: Dataset (goal.md)',
        `Workdir: ${project.directory}`,
        '',
        '✓ Phase 1: Collect — done',
        '    ✓ `data/train.jsonl` has at least 2 records — 2 records (at least 2)',
        '    ✓ `test -d data` exits 0 — exit code 0',
        '✗ Phase 2: Evaluate — not done',
        '    ✗ `results/eval.json` field `metrics.accuracy` >= 0.8 — metrics.accuracy is 0.74, needs >= 0.8',
        '– Phase 3: Write up — unchecked (no "Done when" list)',
        '',
        '1 of 3 phases done, 1 not done, 1 unchecked.',
        'First unmet condition: phase 2, goal.md line 15: `results/eval.json` field `metrics.accuracy` >= 0.8 — metrics.accuracy is 0.74, needs >= 0.8',
        '',
      ].join('\n'),
    );
  });

  it('exits 0 when every phase with conditions is done', async () => {
    const done = createProjectFixture('mux-swarm-goal-done-');
    try {
      done.write('goal.md', GOAL);
      done.write('data/train.jsonl', '{"x":1}\n{"x":2}\n');
      done.write('results/eval.json', { metrics: { accuracy: 0.91 } });
      const result = await runCli(['goal', 'check', 'goal.md'], { cwd: done.directory });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^✓ Phase 2: Evaluate — done$/m);
      assert.match(result.stdout, /\n2 of 3 phases done, 1 unchecked\.\n$/);
    } finally {
      done.remove();
    }
  });

  it('prints a stable JSON shape with --json', async () => {
    const result = await runCli(['goal', 'check', 'goal.md', '--json'], { cwd: project.directory });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as GoalCheckJson;
    assert.deepEqual(report, {
      schemaVersion: 1,
      goal: { label: 'goal.md', name: 'Dataset' },
      workdir: project.directory,
      allDone: false,
      counts: { done: 1, notDone: 1, unchecked: 1 },
      phases: [
        {
          number: 1,
          title: 'Collect',
          line: 6,
          state: 'done',
          conditions: [
            {
              line: 9,
              text: '`data/train.jsonl` has at least 2 records',
              kind: 'record-count',
              met: true,
              detail: '2 records (at least 2)',
            },
            { line: 10, text: '`test -d data` exits 0', kind: 'command', met: true, detail: 'exit code 0' },
          ],
          firstUnmet: null,
        },
        {
          number: 2,
          title: 'Evaluate',
          line: 12,
          state: 'not-done',
          conditions: [
            {
              line: 15,
              text: '`results/eval.json` field `metrics.accuracy` >= 0.8',
              kind: 'json-field',
              met: false,
              detail: 'metrics.accuracy is 0.74, needs >= 0.8',
            },
          ],
          firstUnmet: {
            line: 15,
            text: '`results/eval.json` field `metrics.accuracy` >= 0.8',
            kind: 'json-field',
            met: false,
            detail: 'metrics.accuracy is 0.74, needs >= 0.8',
          },
        },
        { number: 3, title: 'Write up', line: 17, state: 'unchecked', conditions: [], firstUnmet: null },
      ],
    });
  });

  it('exits 2 for a malformed goal, naming the line and the accepted forms', async () => {
    project.write('bad.md', '# Bad\n\n## Phase 1: A\n\nDone when:\n- the model is good\n');
    const result = await runCli(['goal', 'check', 'bad.md'], { cwd: project.directory });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    const lines = result.stderr.split('\n');
    assert.equal(
      lines[0],
      'mux-swarm: bad.md: line 6: "Done when" item "the model is good" is not a condition mux-swarm can check: it does not start with a path or a command in backticks',
    );
    assert.equal(lines[1], 'A "Done when" item is one condition, in one of these forms:');
    assert.ok(lines.includes('  - `data/train.jsonl` exists'));
  });

  it('takes the workdir from --workdir, else from the config, else the current directory', async () => {
    const configured = createProjectFixture('mux-swarm-goal-config-');
    try {
      configured.write('config.json', fakeConfig('http://127.0.0.1:9/v1', { filesystem: { workdir: 'work' } }));
      configured.write('goal.md', '# G\n\n## Phase 1: A\n\nDone when:\n- `here.txt` exists\n');
      configured.write('work/here.txt', 'in the configured workdir');
      const fromConfig = await runCli(['goal', 'check', 'goal.md'], { cwd: configured.directory });
      assert.equal(fromConfig.code, 0, fromConfig.stdout + fromConfig.stderr);
      assert.match(fromConfig.stdout, new RegExp(`^Workdir: ${join(configured.directory, 'work')}$`, 'm'));

      const overridden = await runCli(['goal', 'check', 'goal.md', '--workdir', '.'], { cwd: configured.directory });
      assert.equal(overridden.code, 1);
      assert.match(overridden.stdout, /✗ `here\.txt` exists — does not exist/);

      const otherConfig = await runCli(['goal', 'check', '../goal.md', '--config', '../config.json'], {
        cwd: join(configured.directory, 'work'),
      });
      assert.equal(otherConfig.code, 0, otherConfig.stdout + otherConfig.stderr);

      const missingConfig = await runCli(['goal', 'check', 'goal.md', '--config', 'nope.json'], {
        cwd: configured.directory,
      });
      assert.equal(missingConfig.code, 2);
      assert.match(missingConfig.stderr, /^mux-swarm: nope\.json: not found at /);

      const noConfig = await runCli(['goal', 'check', 'goal.md'], { cwd: project.directory });
      assert.match(noConfig.stdout, new RegExp(`^Workdir: ${project.directory}$`, 'm'));
    } finally {
      configured.remove();
    }
  });

  it('checks the shipped example goal: nothing done in an empty workdir, all done once the files are right', async () => {
    const example = createProjectFixture('mux-swarm-goal-example-');
    try {
      mkdirSync(join(example.directory, 'goals'));
      copyFileSync(join(REPOSITORY_ROOT, 'goals', 'example.md'), join(example.directory, 'goals', 'example.md'));
      const empty = await runCli(['goal', 'check', 'goals/example.md'], { cwd: example.directory });
      assert.equal(empty.code, 1);
      assert.match(empty.stdout, /\n0 of 3 phases done, 3 not done\.\n/);

      example.write(
        'fizzbuzz.py',
        'for n in range(1, 31):\n    print("FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else n)\n',
      );
      const run = spawnSync('python3', ['fizzbuzz.py'], { cwd: example.directory, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      example.write('fizzbuzz.txt', run.stdout);
      example.write('REPORT.md', '# FizzBuzz\n\nBuilt and ran it.\n');
      const done = await runCli(['goal', 'check', 'goals/example.md'], { cwd: example.directory });
      assert.equal(done.code, 0, done.stdout + done.stderr);
      assert.match(done.stdout, /\n3 of 3 phases done\.\n$/);
    } finally {
      example.remove();
    }
  });
});

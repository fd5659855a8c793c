import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseGoal } from '../../src/config/load-goal.js';
import {
  evaluateGoalPhases,
  evaluatePhase,
  type ConditionEvaluation,
  type EvaluatePhasesOptions,
} from '../../src/runtime/phases/evaluate-phase-conditions.js';
import { livingMembersOfGroup, waitFor } from '../fixtures/process-helpers.js';

let root: string;
let workdir: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'mux-swarm-phases-'));
  workdir = join(root, 'work');
  mkdirSync(join(workdir, 'empty-dir'), { recursive: true });
  mkdirSync(join(workdir, 'full-dir'));
  writeFileSync(join(workdir, 'full-dir', 'a.txt'), 'a');
  writeFileSync(join(workdir, 'three.txt'), '1\n2\n3');
  writeFileSync(join(workdir, 'empty.txt'), '');
  writeFileSync(join(workdir, 'records.jsonl'), '{"a":1}\r\n\r\n[1,2]\r\n"s"\n');
  writeFileSync(join(workdir, 'broken.jsonl'), '{"a":1}\n{"a":\n{"a":3}\n');
  writeFileSync(
    join(workdir, 'eval.json'),
    JSON.stringify({ metrics: { accuracy: 0.74, loss: 0.3 }, runs: [{ status: 'finished' }], ok: true, name: 'x' }),
  );
  writeFileSync(join(workdir, 'not-json.json'), '{"metrics": ');
  writeFileSync(join(root, 'secret.txt'), 'outside the workdir\n');
  symlinkSync(join(root, 'secret.txt'), join(workdir, 'link-out.txt'));
  symlinkSync(root, join(workdir, 'dir-out'));
  symlinkSync(join(workdir, 'three.txt'), join(workdir, 'link-in.txt'));
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Evaluates one "Done when" item in the workdir. */
async function check(item: string, options: Partial<EvaluatePhasesOptions> = {}): Promise<ConditionEvaluation> {
  const goal = parseGoal(`## Phase 1: Check\n\nDone when:\n- ${item}\n`, 'goal.md');
  const evaluation = await evaluateGoalPhases(goal.phases, { workdir, ...options });
  return evaluation.phases[0]!.conditions[0]!;
}

async function expectResult(item: string, met: boolean, detail: string | RegExp): Promise<void> {
  const result = await check(item);
  assert.equal(result.met, met, `${item}: ${result.detail}`);
  if (typeof detail === 'string') assert.equal(result.detail, detail, item);
  else assert.match(result.detail, detail, item);
}

describe('phase conditions: files', () => {
  it('exists: files and directories, and what is missing', async () => {
    await expectResult('`three.txt` exists', true, 'exists (5 bytes)');
    await expectResult('`empty-dir` exists', true, 'exists (a directory)');
    await expectResult('`missing.txt` exists', false, 'does not exist');
    await expectResult('`three.txt/inside` exists', false, 'does not exist');
  });

  it('is non-empty: a file with bytes, a directory with entries', async () => {
    await expectResult('`three.txt` is non-empty', true, '5 bytes');
    await expectResult('`empty.txt` is non-empty', false, 'is empty (0 bytes)');
    await expectResult('`full-dir` is not empty', true, 'a directory with 1 entry');
    await expectResult('`empty-dir` is non-empty', false, 'is an empty directory');
    await expectResult('`missing.txt` is non-empty', false, 'does not exist');
  });

  it('has … lines: counts a last line without a newline, compares at least, exactly and at most', async () => {
    await expectResult('`three.txt` has at least 3 lines', true, '3 lines (at least 3)');
    await expectResult('`three.txt` has at least 500 lines', false, '3 of 500 lines');
    await expectResult('`three.txt` has exactly 3 lines', true, '3 lines');
    await expectResult('`three.txt` has exactly 4 lines', false, '3 lines, needs exactly 4');
    await expectResult('`three.txt` has at most 2 lines', false, '3 lines, needs at most 2');
    await expectResult('`empty.txt` has at least 1 line', false, '0 of 1 line');
    await expectResult('`full-dir` has at least 1 line', false, 'is a directory, so it has no lines');
  });

  it('has … records: non-empty JSONL lines, CRLF included; a broken line fails with its number', async () => {
    await expectResult('`records.jsonl` has at least 3 records', true, '3 records (at least 3)');
    await expectResult('`records.jsonl` has at least 4 records', false, '3 of 4 records');
    await expectResult(
      '`broken.jsonl` has at least 1 record',
      false,
      /^line 2 is not valid JSON \(.+\); 1 record before it$/,
    );
  });

  it('counts big files correctly, across read chunks and multi-byte characters', async () => {
    const lines = Array.from({ length: 200_000 }, (_, index) => `line ${index} ${'é'.repeat(index % 7)}`);
    writeFileSync(join(workdir, 'big.txt'), lines.join('\n'));
    await expectResult('`big.txt` has exactly 200000 lines', true, '200000 lines');
    const records = Array.from({ length: 150_000 }, (_, index) =>
      JSON.stringify({ index, text: 'ü'.repeat(index % 13) }),
    );
    writeFileSync(join(workdir, 'big.jsonl'), `${records.join('\n')}\n`);
    await expectResult('`big.jsonl` has at least 150,000 records', true, '150000 records (at least 150000)');
    records[123_456] = '{"index": 123456, "text": ';
    writeFileSync(join(workdir, 'big-broken.jsonl'), `${records.join('\n')}\n`);
    await expectResult(
      '`big-broken.jsonl` has at least 1 record',
      false,
      /^line 123457 is not valid JSON \(.+\); 123456 records before it$/,
    );
  });

  it('field: compares numbers, strings and booleans, and says what is missing', async () => {
    await expectResult('`eval.json` field `metrics.accuracy` >= 0.8', false, 'metrics.accuracy is 0.74, needs >= 0.8');
    await expectResult('`eval.json` field `metrics.accuracy` > 0.7', true, 'metrics.accuracy is 0.74 (> 0.7)');
    await expectResult(
      '`eval.json` field `runs[0].status` is "finished"',
      true,
      'runs[0].status is "finished" (== "finished")',
    );
    await expectResult('`eval.json` field `ok` != true', false, 'ok is true, needs != true');
    await expectResult(
      '`eval.json` field `metrics.f1` >= 0.5',
      false,
      'metrics.f1 is missing: metrics has no key "f1" (its keys: accuracy, loss)',
    );
    await expectResult(
      '`eval.json` field `runs[3].status` == "finished"',
      false,
      'runs[3].status is missing: runs has 1 item, so no [3]',
    );
    await expectResult(
      '`eval.json` field `metrics.accuracy.value` == 1',
      false,
      'metrics.accuracy.value is missing: metrics.accuracy is 0.74, not an object',
    );
    await expectResult('`eval.json` field `name` >= 1', false, 'name is "x", not a number; needs >= 1');
    await expectResult('`eval.json` field `metrics` == 1', false, 'metrics is an object with 2 keys, needs == 1');
    await expectResult('`not-json.json` field `metrics` == 1', false, /^the file is not valid JSON: /);
    await expectResult('`full-dir` field `a` == 1', false, 'is a directory, not a JSON file');
  });
});

describe('phase conditions: paths stay inside the workdir', () => {
  it('refuses a path that leads out through ..', async () => {
    const result = await check('`../secret.txt` exists');
    assert.equal(result.met, false);
    assert.match(
      result.detail,
      /^refused: it resolves to .*secret\.txt, outside the workdir .*work; conditions may only check paths inside the workdir$/,
    );
    assert.doesNotMatch(result.detail, /symbolic link/);
    await expectResult('`sub/../../secret.txt` is non-empty', false, /^refused: it resolves to .*secret\.txt, outside/);
    await expectResult(`\`${join(root, 'secret.txt')}\` exists`, false, /^refused: .*outside the workdir/);
  });

  it('refuses a symbolic link to a file or directory outside, even for a file that does not exist there', async () => {
    await expectResult(
      '`link-out.txt` has at least 1 line',
      false,
      /^refused: it resolves to .*secret\.txt through a symbolic link, outside the workdir/,
    );
    await expectResult('`dir-out/secret.txt` is non-empty', false, /through a symbolic link, outside the workdir/);
    await expectResult('`dir-out/not-there.txt` exists', false, /through a symbolic link, outside the workdir/);
  });

  it('follows links and .. that stay inside', async () => {
    await expectResult('`link-in.txt` has exactly 3 lines', true, '3 lines');
    await expectResult('`full-dir/../three.txt` exists', true, 'exists (5 bytes)');
  });

  it('fails every condition when the workdir does not exist', async () => {
    const missing = join(root, 'no-such-workdir');
    const goal = parseGoal('## Phase 1: A\n\nDone when:\n- `a` exists\n- `true` exits 0\n', 'goal.md');
    const evaluation = await evaluateGoalPhases(goal.phases, { workdir: missing });
    assert.deepEqual(
      evaluation.phases[0]!.conditions.map(({ met, detail }) => [met, detail]),
      [
        [false, `the workdir ${missing} does not exist`],
        [false, `the workdir ${missing} does not exist`],
      ],
    );
  });
});

describe('phase conditions: commands', () => {
  it('runs in the workdir and compares the exit code', async () => {
    writeFileSync(join(workdir, 'marker.txt'), 'here');
    await expectResult('`test -f marker.txt` exits 0', true, 'exit code 0');
    await expectResult('`exit 3` exits with code 3', true, 'exit code 3');
    await expectResult('`true` exits 3', false, 'exit code 0, needs 3; no output');
  });

  it('reports a failing command with the last lines of stderr, or of stdout', async () => {
    await expectResult(
      '`echo out; echo first >&2; echo second >&2; exit 1` exits 0',
      false,
      'exit code 1; last stderr lines:\nfirst\nsecond',
    );
    await expectResult('`seq 1 20; exit 2` succeeds', false, 'exit code 2; last stdout lines:\n16\n17\n18\n19\n20');
    await expectResult('`kill -9 $$` exits 0', false, 'killed by SIGKILL; no output');
  });

  it('keeps only the end of a long output, with long lines cut', async () => {
    await expectResult(
      '`seq 1 200000; exit 1` exits 0',
      false,
      'exit code 1; last stdout lines:\n199996\n199997\n199998\n199999\n200000',
    );
    const result = await check("`head -c 3000000 /dev/zero | tr '\\0' x; echo; echo done; exit 1` exits 0");
    assert.equal(result.detail, `exit code 1; last stdout lines:\n${'x'.repeat(299)}…\ndone`);
  });

  it('gives commands the minimal environment, or the one passed', async () => {
    process.env.MUX_SWARM_PHASE_TEST_SECRET = 'do-not-leak';
    try {
      await expectResult('`test -z "$MUX_SWARM_PHASE_TEST_SECRET" && test -n "$PATH"` exits 0', true, 'exit code 0');
      const passed = await check('`test "$CHOSEN" = yes` exits 0', {
        environment: { PATH: process.env.PATH ?? '/usr/bin:/bin', CHOSEN: 'yes' },
      });
      assert.equal(passed.met, true, passed.detail);
    } finally {
      delete process.env.MUX_SWARM_PHASE_TEST_SECRET;
    }
  });

  it('kills a command that runs past its time limit, with its whole process group', async () => {
    const result = await check('`echo $$ > hang.pid; sleep 60 & sleep 60` exits 0 within 1s');
    assert.equal(result.met, false);
    assert.equal(result.detail, 'did not finish within 1 s; its processes were killed; no output');
    const leader = Number(readFileSync(join(workdir, 'hang.pid'), 'utf8'));
    assert.ok(leader > 1);
    assert.deepEqual(livingMembersOfGroup(leader), [], 'no process of the group is left');
  });

  it('applies the default time limit to commands without "within"', async () => {
    const result = await check('`echo $$ > default.pid; sleep 60` exits 0', { commandTimeLimitMs: 300 });
    assert.equal(result.detail, 'did not finish within 300 ms; its processes were killed; no output');
    assert.deepEqual(livingMembersOfGroup(Number(readFileSync(join(workdir, 'default.pid'), 'utf8'))), []);
  });

  it('kills processes a command leaves running in the background', async () => {
    const result = await check('`echo $$ > background.pid; sleep 60 &` exits 0');
    assert.equal(result.met, true, result.detail);
    assert.deepEqual(livingMembersOfGroup(Number(readFileSync(join(workdir, 'background.pid'), 'utf8'))), []);
  });

  it('stops on abort: the running command is killed and later conditions are not checked', async () => {
    const controller = new AbortController();
    const goal = parseGoal(
      '## Phase 1: A\n\nDone when:\n- `echo $$ > abort.pid; sleep 60` exits 0\n- `three.txt` exists\n',
      'goal.md',
    );
    const pending = evaluatePhase(goal.phases[0]!, { workdir, signal: controller.signal });
    assert.ok(
      await waitFor(
        () => existsSync(join(workdir, 'abort.pid')) && readFileSync(join(workdir, 'abort.pid'), 'utf8').endsWith('\n'),
      ),
    );
    controller.abort();
    const evaluation = await pending;
    assert.deepEqual(
      evaluation.conditions.map(({ met, detail }) => [met, detail]),
      [
        [false, 'cancelled before it finished; its processes were stopped; no output'],
        [false, 'not checked: the check was cancelled'],
      ],
    );
    assert.deepEqual(livingMembersOfGroup(Number(readFileSync(join(workdir, 'abort.pid'), 'utf8'))), []);
  });
});

describe('phase states', () => {
  const goalSource = [
    '## Phase 1: Data',
    'Done when:',
    '- `missing.txt` exists',
    '- `three.txt` has exactly 3 lines',
    '- `false` exits 0',
    '## Phase 2: Model',
    'Done when:',
    '- `three.txt` exists',
    '## Phase 3: Report',
    'Write it.',
  ].join('\n');

  it('checks every condition of every phase, after a failing one too, and names the first unmet', async () => {
    const evaluation = await evaluateGoalPhases(parseGoal(goalSource, 'goal.md').phases, { workdir });
    assert.deepEqual(
      evaluation.phases.map((phase) => [
        phase.phase.number,
        phase.state,
        phase.conditions.map((condition) => condition.met),
      ]),
      [
        [1, 'not-done', [false, true, false]],
        [2, 'done', [true]],
        [3, 'unchecked', []],
      ],
    );
    assert.equal(evaluation.phases[0]!.firstUnmet?.condition.text, '`missing.txt` exists');
    assert.equal(evaluation.phases[0]!.firstUnmet?.condition.line, 3);
    assert.equal(evaluation.phases[1]!.firstUnmet, undefined);
    assert.equal(evaluation.allDone, false);
    assert.equal(evaluation.workdir, workdir);
  });

  it('is all done when every phase with conditions is done, unchecked phases aside', async () => {
    const phases = parseGoal(goalSource, 'goal.md').phases.slice(1);
    assert.equal((await evaluateGoalPhases(phases, { workdir })).allDone, true);
    const withoutPhases = parseGoal('# Just prose\n\nDo it.', 'goal.md').phases;
    const evaluation = await evaluateGoalPhases(withoutPhases, { workdir });
    assert.deepEqual([evaluation.allDone, evaluation.phases[0]!.state], [true, 'unchecked']);
  });
});

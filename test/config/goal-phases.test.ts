import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseGoalCondition, readCodeSpan, type GoalConditionCheck } from '../../src/config/goal-phases-condition.js';
import { formatFieldPath, parseFieldPath } from '../../src/config/goal-phases-field-path.js';
import { loadGoalFile, parseGoal } from '../../src/config/load-goal.js';
import { ConfigError } from '../../src/errors/config-error.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function errorOf(source: string): ConfigError {
  try {
    parseGoal(source, 'goal.md');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected the goal to be refused');
}

function checkOf(item: string): GoalConditionCheck {
  const parsed = parseGoalCondition(item);
  assert.ok('check' in parsed, `"${item}" should parse, got: ${'problem' in parsed ? parsed.problem : ''}`);
  return parsed.check;
}

function problemOf(item: string): string {
  const parsed = parseGoalCondition(item);
  assert.ok('problem' in parsed, `"${item}" should be refused`);
  return parsed.problem;
}

const THREE_PHASES = [
  '---',
  'name: Fine-tune',
  'budget:',
  '  usd: 5',
  '---',
  '# Fine-tune a small model',
  '',
  'Context every phase shares.',
  '',
  '## Phase 1: Research the domain',
  '',
  'Read the papers.',
  '',
  '**Done when:**',
  '- `notes/summary.md` exists',
  '- `notes/summary.md` is non-empty',
  '',
  'Keep notes short.',
  '',
  '## Phase 2 — Build the dataset',
  '',
  '### Done when',
  '1. `data/train.jsonl` has at least 500 records',
  '2. `data/train.jsonl` has at least 1,000 lines',
  '',
  '## Phase 3: Evaluate',
  '',
  'Report the numbers.',
  '',
  '## Notes',
  '',
  'Not part of phase 3.',
].join('\n');

describe('goal phases: sections', () => {
  it('reads numbers, titles, heading lines (front matter counted), texts and conditions', () => {
    const goal = parseGoal(THREE_PHASES, 'goal.md');
    assert.deepEqual(
      goal.phases.map((phase) => [phase.number, phase.title, phase.line]),
      [
        [1, 'Research the domain', 10],
        [2, 'Build the dataset', 20],
        [3, 'Evaluate', 26],
      ],
    );
    assert.equal(
      goal.phases[0]!.text,
      'Read the papers.\n\n**Done when:**\n- `notes/summary.md` exists\n- `notes/summary.md` is non-empty\n\nKeep notes short.',
    );
    assert.equal(
      goal.phases[2]!.text,
      'Report the numbers.',
      'a level-two heading that is not a phase ends the section',
    );
    assert.deepEqual(goal.phases[0]!.conditions, [
      { kind: 'exists', path: 'notes/summary.md', line: 15, text: '`notes/summary.md` exists' },
      { kind: 'non-empty', path: 'notes/summary.md', line: 16, text: '`notes/summary.md` is non-empty' },
    ]);
    assert.deepEqual(goal.phases[1]!.conditions, [
      {
        kind: 'record-count',
        path: 'data/train.jsonl',
        comparison: 'at-least',
        count: 500,
        line: 23,
        text: '`data/train.jsonl` has at least 500 records',
      },
      {
        kind: 'line-count',
        path: 'data/train.jsonl',
        comparison: 'at-least',
        count: 1000,
        line: 24,
        text: '`data/train.jsonl` has at least 1,000 lines',
      },
    ]);
    assert.deepEqual(goal.phases[2]!.conditions, [], 'a phase without a "Done when" list has no conditions');
    assert.equal(goal.text.split('\n')[0], '# Fine-tune a small model', 'the goal text is unchanged');
    assert.deepEqual(goal.frontMatter, { name: 'Fine-tune', budget: { usd: 5 } }, 'front matter is read as before');
  });

  it('makes a goal without phase headings one phase named after the goal, without conditions', () => {
    const goal = parseGoal('# Port the parser\n\nPort it.\n\nDone when all tests pass.\n', 'goal.md');
    assert.deepEqual(goal.phases, [
      {
        number: 1,
        title: 'Port the parser',
        text: '# Port the parser\n\nPort it.\n\nDone when all tests pass.',
        conditions: [],
      },
    ]);
  });

  it('leaves a "Done when" list of a goal without phases alone, whatever it says', () => {
    const goal = parseGoal('Do it.\n\nDone when:\n- everyone is happy\n', '--task');
    assert.equal(goal.phases.length, 1);
    assert.deepEqual(goal.phases[0]!.conditions, []);
  });

  it('accepts the usual ways of writing the "Done when" line and list items', () => {
    const markers = [
      'Done when:',
      '**Done when:**',
      '**Done when**:',
      '### Done when',
      '## Done when',
      '_Done when_',
      'done when',
    ];
    for (const marker of markers) {
      const goal = parseGoal(`## Phase 1: Build\n\n${marker}\n- \`out.txt\` exists\n`, 'goal.md');
      assert.deepEqual(
        goal.phases[0]!.conditions.map((condition) => condition.kind),
        ['exists'],
        marker,
      );
    }
    const items = parseGoal(
      [
        '## Phase 1: Build',
        'Done when:',
        '- [ ] `a` exists',
        '* [x] `b` exists',
        '+ `c` exists',
        '3) `d` exists',
        '',
        '- `e` has at least',
        '  10 lines',
        'After the list.',
      ].join('\n'),
      'goal.md',
    ).phases[0]!;
    assert.deepEqual(
      items.conditions.map((condition) => [condition.line, condition.text]),
      [
        [3, '`a` exists'],
        [4, '`b` exists'],
        [5, '`c` exists'],
        [6, '`d` exists'],
        [8, '`e` has at least 10 lines'],
      ],
      'checkboxes are dropped, blank lines allowed, indented lines continue an item',
    );
    assert.ok(items.text.endsWith('After the list.'));
  });

  it('merges two "Done when" lists of one phase and ignores headings and lists inside code fences', () => {
    const goal = parseGoal(
      [
        '## Phase 1: Build',
        'Done when:',
        '- `a` exists',
        '',
        '```markdown',
        '## Phase 9: not a phase',
        'Done when:',
        '- not a condition',
        '```',
        '',
        'Done when:',
        '- `b` exists',
      ].join('\n'),
      'goal.md',
    );
    assert.equal(goal.phases.length, 1);
    assert.deepEqual(
      goal.phases[0]!.conditions.map((condition) => ('path' in condition ? condition.path : condition.command)),
      ['a', 'b'],
    );
    assert.match(goal.phases[0]!.text, /## Phase 9: not a phase/);
  });
});

describe('goal phases: conditions', () => {
  it('reads file conditions', () => {
    assert.deepEqual(checkOf('`data/train.jsonl` exists'), { kind: 'exists', path: 'data/train.jsonl' });
    assert.deepEqual(checkOf('file `out dir/a.txt` exists.'), { kind: 'exists', path: 'out dir/a.txt' });
    for (const wording of ['is non-empty', 'is nonempty', 'is not empty'])
      assert.deepEqual(checkOf(`\`a.txt\` ${wording}`), { kind: 'non-empty', path: 'a.txt' });
    assert.deepEqual(checkOf('`a.txt` has at most 10 lines'), {
      kind: 'line-count',
      path: 'a.txt',
      comparison: 'at-most',
      count: 10,
    });
    assert.deepEqual(checkOf('`a.txt` has exactly 1 line'), {
      kind: 'line-count',
      path: 'a.txt',
      comparison: 'exactly',
      count: 1,
    });
    assert.deepEqual(checkOf('`a.jsonl` HAS AT LEAST 10_000 JSONL records'), {
      kind: 'record-count',
      path: 'a.jsonl',
      comparison: 'at-least',
      count: 10000,
    });
  });

  it('reads JSON field conditions with symbolic and worded comparisons', () => {
    const field = (item: string) => {
      const check = checkOf(item);
      assert.equal(check.kind, 'json-field');
      return check.kind === 'json-field' ? [check.path, check.field, check.fieldPath, check.operator, check.value] : [];
    };
    assert.deepEqual(field('`results/eval.json` field `metrics.accuracy` >= 0.8'), [
      'results/eval.json',
      'metrics.accuracy',
      ['metrics', 'accuracy'],
      '>=',
      0.8,
    ]);
    assert.deepEqual(field('`r.json` field `runs[0].scores[2]` < -1.5e3'), [
      'r.json',
      'runs[0].scores[2]',
      ['runs', 0, 'scores', 2],
      '<',
      -1500,
    ]);
    assert.deepEqual(field('`r.json` field `status` == "finished"'), [
      'r.json',
      'status',
      ['status'],
      '==',
      'finished',
    ]);
    assert.deepEqual(field("`r.json` field `status` = 'done'"), ['r.json', 'status', ['status'], '==', 'done']);
    assert.deepEqual(field('`r.json` has field `ok` != false'), ['r.json', 'ok', ['ok'], '!=', false]);
    assert.deepEqual(field('`r.json` field `$.error` is null'), ['r.json', '$.error', ['error'], '==', null]);
    assert.deepEqual(field('`r.json` field `loss` is at most 0.5'), ['r.json', 'loss', ['loss'], '<=', 0.5]);
    assert.deepEqual(field('`r.json` field `epochs` is at least 3'), ['r.json', 'epochs', ['epochs'], '>=', 3]);
    assert.deepEqual(field('`r.json` field `f1` is greater than 0.7'), ['r.json', 'f1', ['f1'], '>', 0.7]);
    assert.deepEqual(field('`r.json` field `errors` is less than 1'), ['r.json', 'errors', ['errors'], '<', 1]);
    assert.deepEqual(field('`r.json` field `state` is not "failed"'), ['r.json', 'state', ['state'], '!=', 'failed']);
    assert.deepEqual(field('`r.json` field `[1].name` equals true'), ['r.json', '[1].name', [1, 'name'], '==', true]);
  });

  it('reads command conditions, with exit codes and time limits', () => {
    assert.deepEqual(checkOf('`python -m pytest -q` exits 0'), {
      kind: 'command',
      command: 'python -m pytest -q',
      exitCode: 0,
    });
    assert.deepEqual(checkOf('command `make check` exits 0 within 5m'), {
      kind: 'command',
      command: 'make check',
      exitCode: 0,
      timeLimitMs: 300_000,
    });
    assert.deepEqual(checkOf('the command `grep -q x f` exits with code 1'), {
      kind: 'command',
      command: 'grep -q x f',
      exitCode: 1,
    });
    assert.deepEqual(checkOf('`./check.sh` exits with status 3 within 90 seconds'), {
      kind: 'command',
      command: './check.sh',
      exitCode: 3,
      timeLimitMs: 90_000,
    });
    assert.deepEqual(checkOf('`true` succeeds within 1.5 hours'), {
      kind: 'command',
      command: 'true',
      exitCode: 0,
      timeLimitMs: 5_400_000,
    });
    assert.deepEqual(
      checkOf('`npm test` exits 0 within 45'),
      { kind: 'command', command: 'npm test', exitCode: 0, timeLimitMs: 45_000 },
      'a bare number is seconds',
    );
    assert.deepEqual(
      checkOf('``grep -c `x` f`` exits 0'),
      { kind: 'command', command: 'grep -c `x` f', exitCode: 0 },
      'a double-backtick span holds backticks',
    );
  });

  it('explains items it cannot read', () => {
    assert.match(problemOf('all tests pass'), /does not start with a path or a command in backticks/);
    assert.match(problemOf('` ` exists'), /backticks at its start are empty/);
    assert.match(
      problemOf('`a.txt` has 5 lines'),
      /say how many lines are enough: "has at least 5 lines", "has exactly 5 lines" or "has at most 5 lines"/,
    );
    assert.match(problemOf('`a.txt` is big'), /after `a.txt` it expects "exists", "is non-empty".*got "is big"/);
    assert.match(problemOf('`r.json` field metrics.accuracy >= 1'), /put the field in backticks/);
    assert.match(problemOf('`r.json` field `a..b` >= 1'), /the field `a\.\.b` has an empty or unreadable key/);
    assert.match(problemOf('`r.json` field `a[x]` >= 1'), /the field `a\[x\]` cannot be read at "\[x\]"/);
    assert.match(problemOf('`r.json` field `a` >= "high"'), />= compares numbers; "high" is not a number/);
    assert.match(problemOf('`r.json` field `a` => 1'), /expects a comparison/);
    assert.match(
      problemOf('`r.json` field `a` == high'),
      /must be a number, a quoted string, true, false or null; got "high"/,
    );
    assert.match(problemOf('`make` exits 0 within soon'), /"within soon" is not a time limit/);
    assert.match(problemOf('`make` exits 300'), /exit codes go from 0 to 255/);
    assert.match(problemOf('command `make` exists'), /a command condition ends with "exits 0"/);
    assert.match(problemOf('file `a.txt` exits 0'), /a file cannot exit/);
  });

  it('reads markdown code spans and field paths', () => {
    assert.deepEqual(readCodeSpan('`a` rest', 0), { content: 'a', end: 3 });
    assert.deepEqual(readCodeSpan('`` `x` `` rest', 0), { content: '`x`', end: 9 });
    assert.equal(readCodeSpan('`unclosed', 0), undefined);
    assert.deepEqual(parseFieldPath('a.b[0][1].c'), { segments: ['a', 'b', 0, 1, 'c'] });
    assert.equal(formatFieldPath(['a', 'b', 0, 1, 'c']), 'a.b[0][1].c');
    assert.ok('problem' in parseFieldPath('a.'));
    assert.ok('problem' in parseFieldPath(''));
  });
});

describe('goal phases: errors', () => {
  it('names the line, the item and the accepted forms for an item that is not a condition', () => {
    const error = errorOf(
      ['---', 'name: G', '---', '## Phase 1: Build', '', 'Done when:', '- `out.txt` exists', '- the tests pass'].join(
        '\n',
      ),
    );
    const [first, ...hint] = error.message.split('\n');
    assert.equal(
      first,
      'goal.md: line 8: "Done when" item "the tests pass" is not a condition mux-swarm can check: it does not start with a path or a command in backticks',
    );
    assert.equal(hint[0], 'A "Done when" item is one condition, in one of these forms:');
    for (const example of [
      '`data/train.jsonl` exists',
      '`data/train.jsonl` has at least 500 records',
      '`results/eval.json` field `metrics.accuracy` >= 0.8',
      '`python -m pytest -q` exits 0',
    ]) {
      assert.ok(
        hint.some((line) => line.startsWith(`  - ${example}`)),
        `the hint shows ${example}`,
      );
    }
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['line 8'],
    );
    assert.equal(error.file, 'goal.md');
  });

  it('reports duplicate, missing, decreasing and wrongly started phase numbers, each with its line', () => {
    const error = errorOf(
      ['## Phase 1: A', '## Phase 2: B', '## Phase 2: C', '## Phase 6: D', '## Phase 3: E'].join('\n'),
    );
    assert.deepEqual(error.message.split('\n'), [
      'goal.md: line 3: phase 2 appears twice (also at line 2); number the phases 1, 2, 3… in order',
      'goal.md: line 4: phase 6 follows phase 2: phases 3 to 5 are missing; number the phases 1, 2, 3… in order',
      'goal.md: line 5: phase 3 comes after phase 6; number the phases 1, 2, 3… in order',
    ]);
    assert.equal(
      errorOf('## Phase 1: A\n## Phase 3: C').message,
      'goal.md: line 2: phase 3 follows phase 1: phase 2 is missing; number the phases 1, 2, 3… in order',
    );
    assert.equal(
      errorOf('## Phase 1: A\n## Phase 4: D').message,
      'goal.md: line 2: phase 4 follows phase 1: phases 2 and 3 are missing; number the phases 1, 2, 3… in order',
    );
    assert.equal(
      errorOf('# G\n\n## Phase 2: B').message,
      'goal.md: line 3: the first phase is numbered 2; number the phases 1, 2, 3… in order',
    );
  });

  it('refuses a phase without a title, a number in words, a "Done when" line without a list and a list outside any phase', () => {
    assert.equal(
      errorOf('## Phase 1\n\nDo it.').message,
      'goal.md: line 1: phase 1 has no title; write "## Phase 1: what this phase achieves"',
    );
    assert.equal(
      errorOf('## Phase one: Start').message,
      'goal.md: line 1: "## Phase one: Start" names its phase "one"; write the number in digits, e.g. "## Phase 2: Train the model"',
    );
    assert.equal(
      errorOf('## Phase 1: A\n\n**Done when:**\n\nWhen it works.').message,
      'goal.md: line 3: "**Done when:**" is not followed by a list; add one bullet item per condition below it, or remove the line',
    );
    assert.equal(
      errorOf('# G\n\nDone when:\n- `a` exists\n\n## Phase 1: A').message,
      'goal.md: line 3: this "Done when" list belongs to no phase; move it under a "## Phase N: title" heading',
    );
  });

  it('lists every problem at once, in line order, and adds the condition forms only when an item was wrong', () => {
    const error = errorOf(['## Phase 1: A', 'Done when:', '- `a` grows', '## Phase 1: B'].join('\n'));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['line 3', 'line 4'],
    );
    assert.match(error.message, /one of these forms/);
    assert.doesNotMatch(errorOf('## Phase 2: A').message, /one of these forms/);
  });
});

describe('the shipped example goal', () => {
  it('has three phases with conditions the goal check can run', () => {
    const goal = loadGoalFile('goals/example.md', repositoryRoot);
    assert.deepEqual(
      goal.phases.map((phase) => [phase.number, phase.title, phase.conditions.map((condition) => condition.kind)]),
      [
        [1, 'Write the program', ['non-empty']],
        [2, 'Run it and keep its output', ['line-count', 'command', 'command']],
        [3, 'Report', ['non-empty']],
      ],
    );
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadGoalFile, parseGoal, type Goal } from '../../src/config/load-goal.js';
import { ConfigError } from '../../src/errors/config-error.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mux-swarm-goal-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function loadGoal(name: string, source: string): Goal {
  const file = join(directory, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  return loadGoalFile(name, directory);
}

function goalErrorOf(name: string, source: string): ConfigError {
  try {
    loadGoal(name, source);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected the goal to be refused');
}

describe('goal front matter', () => {
  it('parses and validates it, turning budget.time into milliseconds', () => {
    const goal = loadGoal(
      'goals/port.md',
      [
        '---',
        'name: Port the parser',
        'mode: flat',
        'agents: [code, memory]',
        'budget:',
        '  usd: 2.5',
        '  tokens: 400000',
        '  time: 2h',
        'limits:',
        '  maxTurns: 80',
        '---',
        '# Port',
        '',
        'Port it.',
        '',
      ].join('\n'),
    );
    assert.deepEqual(goal.frontMatter, {
      name: 'Port the parser',
      mode: 'flat',
      agents: ['code', 'memory'],
      budget: { usd: 2.5, tokens: 400_000, time: 7_200_000 },
      limits: { maxTurns: 80 },
    });
    assert.equal(goal.name, 'Port the parser', 'front matter name wins over the heading');
    assert.equal(goal.text, '# Port\n\nPort it.', 'the front matter is not part of what agents see');
    assert.equal(goal.label, join('goals', 'port.md'));
    assert.equal(goal.file, join(directory, 'goals', 'port.md'));
  });

  it('reads a number of seconds as a time budget', () => {
    assert.equal(loadGoal('g.md', '---\nbudget:\n  time: 90\n---\nDo it.').frontMatter.budget?.time, 90_000);
  });

  it('reports an unknown key with its path prefixed "front matter"', () => {
    const nested = goalErrorOf('goal.md', '---\nbudget:\n  tme: 2h\n---\nDo it.');
    assert.equal(
      nested.message,
      'goal.md: front matter.budget.tme: unknown key (did you mean "time"?); allowed here: time, tokens, usd',
    );
    assert.equal(nested.file, 'goal.md');
    assert.deepEqual(
      nested.issues.map((issue) => issue.path),
      ['front matter.budget.tme'],
    );
    const topLevel = goalErrorOf('goal.md', '---\nagent: [code]\n---\nDo it.');
    assert.equal(
      topLevel.message,
      'goal.md: front matter.agent: unknown key (did you mean "agents"?); allowed here: agents, budget, description, limits, loop, mode, name',
    );
  });

  it('reports invalid values with their paths, several at once', () => {
    const error = goalErrorOf(
      'goal.md',
      '---\nmode: swarm\nagents: [Code]\nbudget:\n  time: soon\n  usd: -1\n---\nDo it.',
    );
    assert.equal(
      error.message,
      [
        'goal.md: front matter.mode: must be one of "hierarchical", "flat"; got "swarm"',
        'goal.md: front matter.agents[0]: agent names are lowercase letters, digits and "-", starting with a letter (e.g. "code")',
        'goal.md: front matter.budget.usd: must be greater than 0; got -1',
        'goal.md: front matter.budget.time: must be a positive duration: seconds as a number, or "90s", "45m", "2h", "1h30m"',
      ].join('\n'),
    );
  });

  it('refuses front matter that is not a mapping', () => {
    assert.equal(
      goalErrorOf('goal.md', '---\n- code\n- memory\n---\nDo it.').message,
      'goal.md: front matter: expected an object, got an array',
    );
  });

  it('reports invalid YAML with its line and column in the goal file', () => {
    const error = goalErrorOf('goal.md', '---\nname: Port\nagents: [code\n---\nDo it.');
    assert.equal(
      error.message,
      'goal.md: front matter: invalid YAML at line 3, column 14: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('accepts an empty front matter block and CRLF line endings', () => {
    const empty = loadGoal('empty-front.md', '---\n---\nDo it.');
    assert.deepEqual(empty.frontMatter, {});
    assert.equal(empty.text, 'Do it.');
    const windows = loadGoal('windows.md', '---\r\nname: From Windows\r\n---\r\nDo it.\r\n');
    assert.equal(windows.name, 'From Windows');
    assert.equal(windows.text, 'Do it.');
  });
});

describe('goal name and text', () => {
  it('takes the name from the first level-one heading when the front matter has none', () => {
    const goal = loadGoal(
      'fix.md',
      '---\nbudget:\n  usd: 1\n---\nSome context first.\n\n## Details\n\n# Fix the login page\n',
    );
    assert.equal(goal.name, 'Fix the login page');
  });

  it('falls back to the file name, without .md', () => {
    assert.equal(loadGoal('goals/fix-login.md', 'Make the login page work on mobile.').name, 'fix-login');
  });

  it('falls back to the first words of a goal given inline', () => {
    assert.equal(
      parseGoal('Summarise the logs in ./logs\nand write SUMMARY.md', '--task').name,
      'Summarise the logs in ./logs',
    );
    const long = 'word '.repeat(30).trim();
    assert.equal(parseGoal(long, '--task').name, `${long.slice(0, 57)}...`);
  });

  it('reads a goal without front matter whole', () => {
    const source = '# Benchmark\n\nRun the benchmark.\n\n---\n\nA rule above, not front matter.';
    const goal = loadGoal('bench.md', source);
    assert.deepEqual(goal.frontMatter, {});
    assert.equal(goal.text, source);
  });

  it('refuses an empty goal, with or without front matter', () => {
    assert.equal(
      goalErrorOf('empty.md', '  \n\n').message,
      'empty.md: the goal is empty; write what the swarm should achieve',
    );
    assert.equal(
      goalErrorOf('only-front.md', '---\nname: Nothing\n---\n\n').message,
      'only-front.md: the goal is empty; write what the swarm should achieve',
    );
    assert.throws(() => parseGoal('', 'stdin'), {
      message: 'stdin: the goal is empty; write what the swarm should achieve',
    });
  });

  it('reports a missing goal file and what to pass instead', () => {
    assert.throws(() => loadGoalFile('goals/missing.md', directory), {
      message: `${join('goals', 'missing.md')}: goal file not found at ${join(directory, 'goals', 'missing.md')}\nPass a markdown goal file, \`-\` to read it from stdin, or --task "…" for a one-line goal.`,
    });
  });

  it('loads the shipped example goal', () => {
    const goal = loadGoalFile('goals/example.md', repositoryRoot);
    assert.equal(goal.name, 'FizzBuzz, tested and reported');
    assert.deepEqual(goal.frontMatter.budget, { usd: 1, time: 900_000 });
    assert.ok(goal.text.startsWith('# FizzBuzz, tested and reported'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoal } from '../../../src/config/load-goal.js';

function goalWithLoop(yaml: string): string {
  return `---\nloop:\n${yaml
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n---\n# Tune\n\nTune it.\n`;
}

/** The error message of a goal whose loop is invalid. */
function loopErrors(yaml: string): string {
  try {
    parseGoal(goalWithLoop(yaml), 'goals/tune.md');
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail('the goal was accepted');
}

describe('the loop: front matter', () => {
  it('reads a full loop with its defaults: durations in milliseconds, baseline repeated 3 times, an hour per command', () => {
    const goal = parseGoal(
      goalWithLoop(`
maxIterations: 20
stop: { metric: 0.05, noImprovementFor: 5, budgetUsd: 10, time: 6h }
metric: { name: val_loss, direction: lower, from: { json: out/metrics.json, field: "eval.runs[0].loss" } }
command: python train.py
paths: [train.py, "configs/**"]`),
      'goals/tune.md',
    );
    assert.deepEqual(goal.frontMatter.loop, {
      maxIterations: 20,
      stop: { metric: 0.05, noImprovementFor: 5, budgetUsd: 10, time: 6 * 3_600_000 },
      metric: {
        name: 'val_loss',
        direction: 'lower',
        from: {
          kind: 'json',
          path: 'out/metrics.json',
          field: 'eval.runs[0].loss',
          fieldPath: ['eval', 'runs', 0, 'loss'],
        },
      },
      command: 'python train.py',
      commandTimeout: 3_600_000,
      passEnv: [],
      baselineRepeats: 3,
      paths: ['train.py', 'configs/**'],
    });
  });

  it('reads a log source and a fixed margin', () => {
    const goal = parseGoal(
      goalWithLoop(
        'metric: { name: acc, direction: higher, from: { log: train.log, regex: "acc=([0-9.]+)" } }\nmargin: 0.01\nbaselineRepeats: 1',
      ),
      'goal.md',
    );
    assert.deepEqual(goal.frontMatter.loop?.metric.from, { kind: 'log', path: 'train.log', regex: 'acc=([0-9.]+)' });
    assert.equal(goal.frontMatter.loop?.margin, 0.01);
  });

  it('names the goal file and the JSON path of every problem, with the fix', () => {
    const message = loopErrors(`
maxIteration: 3
stop: { time: soon }
metric: { name: loss, direction: down, from: { log: train.log, regex: "loss=[0-9.]+" } }
baselineRepeats: 0`);
    assert.match(
      message,
      /^goals\/tune\.md: front matter\.loop\.maxIteration: unknown key \(did you mean "maxIterations"\?\)/m,
    );
    assert.match(message, /^goals\/tune\.md: front matter\.loop\.stop\.time: must be a positive duration/m);
    assert.match(
      message,
      /^goals\/tune\.md: front matter\.loop\.metric\.direction: must be one of "lower", "higher"; got "down"$/m,
    );
    assert.match(
      message,
      /^goals\/tune\.md: front matter\.loop\.metric\.from\.regex: needs a capturing group around the number/m,
    );
    assert.match(message, /^goals\/tune\.md: front matter\.loop\.baselineRepeats: must be at least 1; got 0$/m);
  });

  it('says how to write the metric source when it is incomplete, mixed or missing', () => {
    assert.match(
      loopErrors('metric: { name: loss, direction: lower, from: { json: m.json } }'),
      /front matter\.loop\.metric\.from\.field: required with json/,
    );
    assert.match(
      loopErrors('metric: { name: loss, direction: lower, from: { json: m.json, log: a.log } }'),
      /front matter\.loop\.metric\.from: give either json or log, not both; write `from: \{ json:/,
    );
    assert.match(
      loopErrors('metric: { name: loss, direction: lower, from: {} }'),
      /front matter\.loop\.metric\.from: says nowhere to read the metric/,
    );
    assert.match(
      loopErrors('metric: { name: loss, direction: lower, from: { log: a.log, regex: "(" } }'),
      /front matter\.loop\.metric\.from\.regex: not a valid regular expression/,
    );
    assert.match(
      loopErrors('metric: { name: loss, direction: lower, from: { json: ../m.json, field: a } }'),
      /front matter\.loop\.metric\.from\.json: must be a path relative to the workdir, without "\.\."/,
    );
    assert.match(
      loopErrors('metric: { name: loss, direction: lower, from: { json: m.json, field: a } }\npaths: [/etc]'),
      /front matter\.loop\.paths\[0\]: must be a path relative to the workdir/,
    );
  });

  it('needs a metric', () => {
    assert.match(loopErrors('maxIterations: 3'), /front matter\.loop\.metric: required \(an object\)/);
  });
});

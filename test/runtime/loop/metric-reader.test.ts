import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseFieldPath } from '../../../src/config/goal-phases-field-path.js';
import type { GoalMetricSource as MetricSource } from '../../../src/config/goal-loop.js';
import { readWorkdirMetric as readMetric } from '../../../src/runtime/loop/measure-metric.js';

const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'mux-swarm-metric-')));
after(() => rmSync(workdir, { recursive: true, force: true }));

function json(path: string, field: string): MetricSource {
  const parsed = parseFieldPath(field);
  assert.ok('segments' in parsed);
  return { kind: 'json', path, field, fieldPath: parsed.segments };
}

describe('reading the metric', () => {
  it('reads a JSON field through objects and arrays', async () => {
    writeFileSync(join(workdir, 'm.json'), JSON.stringify({ eval: { runs: [{ loss: 0.5 }, { loss: 0.25 }] } }));
    assert.deepEqual(await readMetric(workdir, json('m.json', 'eval.runs[1].loss')), { value: 0.25 });
  });

  it('says which field is missing, and refuses a value that is not a finite number', async () => {
    writeFileSync(join(workdir, 'm.json'), JSON.stringify({ eval: { loss: '0.5', runs: [] } }));
    assert.deepEqual(await readMetric(workdir, json('m.json', 'eval.accuracy')), {
      problem: '`m.json` has no field eval.accuracy',
    });
    assert.deepEqual(await readMetric(workdir, json('m.json', 'eval.runs[0]')), {
      problem: '`m.json` has no field eval.runs[0]',
    });
    assert.deepEqual(await readMetric(workdir, json('m.json', 'eval.loss')), {
      problem: 'field eval.loss of `m.json` is "0.5", not a finite number',
    });
    assert.deepEqual(await readMetric(workdir, json('absent.json', 'loss')), {
      problem: '`absent.json` does not exist',
    });
    writeFileSync(join(workdir, 'bad.json'), '{"loss": ');
    assert.match(
      ((await readMetric(workdir, json('bad.json', 'loss'))) as { problem: string }).problem,
      /^`bad\.json` is not valid JSON: /,
    );
  });

  it('takes the last match of a log regex (its first group that matched)', async () => {
    writeFileSync(join(workdir, 'train.log'), 'step 1 loss=0.9\nstep 2 loss=0.7\nnoise\nstep 3 loss=0.61\ndone\n');
    assert.deepEqual(await readMetric(workdir, { kind: 'log', path: 'train.log', regex: 'loss=([0-9.]+)' }), {
      value: 0.61,
    });
    assert.deepEqual(await readMetric(workdir, { kind: 'log', path: 'train.log', regex: '^acc=([0-9.]+)' }), {
      problem: 'no line of `train.log` matches /^acc=([0-9.]+)/',
    });
  });

  it('refuses a metric file that leads outside the workdir', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mux-swarm-outside-'));
    try {
      writeFileSync(join(outside, 'm.json'), '{"loss": 0.1}');
      symlinkSync(join(outside, 'm.json'), join(workdir, 'link.json'));
      assert.match(
        ((await readMetric(workdir, json('link.json', 'loss'))) as { problem: string }).problem,
        /^`link\.json` is refused: it resolves to .* through a symbolic link, outside the workdir/,
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goalLoopSchema, type GoalLoop } from '../../../src/config/goal-loop.js';
import { decideKeep, formatMetric } from '../../../src/runtime/loop/keep-decision.js';
import type { LoopStanding } from '../../../src/runtime/loop/loop-standing.js';
import { loopStopFor } from '../../../src/runtime/loop/loop-stop.js';

function loop(fields: Record<string, unknown>, direction: 'lower' | 'higher' = 'lower'): GoalLoop {
  return goalLoopSchema.parse({
    metric: { name: 'acc', direction, from: { json: 'm.json', field: 'acc' } },
    ...fields,
  });
}

function standing(fields: Partial<LoopStanding>): LoopStanding {
  return {
    baseline: undefined,
    margin: 0,
    best: undefined,
    bestBefore: [],
    experiments: 0,
    kept: 0,
    sinceLastKept: 0,
    costUsd: 0,
    durationMs: 0,
    ...fields,
  };
}

describe('keeping or discarding a result', () => {
  it("keeps only a result better by MORE than the margin, in the metric's direction", () => {
    assert.deepEqual(decideKeep(0.8, 0.7, 0.05, 'higher'), {
      decision: 'kept',
      reason: 'better: +0.1 vs the best 0.7, more than the margin 0.05',
    });
    assert.equal(decideKeep(0.75, 0.7, 0.05, 'higher').decision, 'discarded', 'exactly the margin is not more than it');
    assert.match(
      decideKeep(0.72, 0.7, 0.05, 'higher').reason,
      /^within the noise margin: \+0\.02 vs the best 0\.7 is not more than 0\.05$/,
    );
    assert.equal(decideKeep(0.6, 0.7, 0, 'higher').reason, 'worse: -0.1 vs the best 0.7');
    assert.equal(decideKeep(0.7, 0.7, 0, 'lower').reason, 'no better: the same as the best 0.7');
    assert.equal(decideKeep(0.6, 0.7, 0, 'lower').decision, 'kept');
  });

  it('keeps the first readable result when the baseline could not be read', () => {
    assert.equal(decideKeep(3, undefined, 0.5, 'lower').decision, 'kept');
  });

  it('writes metrics in a few significant digits', () => {
    assert.deepEqual(
      [
        formatMetric(0.0399999),
        formatMetric(1.25e-7),
        formatMetric(0.002, { signed: true }),
        formatMetric(-0.5, { signed: true }),
        formatMetric(0),
      ],
      ['0.04', '1.250e-7', '+0.002', '-0.5', '0'],
    );
  });
});

describe("the loop's stop conditions", () => {
  const best = (metric: number) => ({ metric, commit: 'c', iteration: 2 });

  it("stops at the threshold in the metric's direction, the baseline included", () => {
    assert.equal(
      loopStopFor(loop({ stop: { metric: 0.9 } }, 'higher'), standing({ best: best(0.91) }))?.reason,
      'metric_reached',
    );
    assert.equal(loopStopFor(loop({ stop: { metric: 0.9 } }, 'higher'), standing({ best: best(0.89) })), undefined);
    assert.equal(loopStopFor(loop({ stop: { metric: 0.9 } }, 'lower'), standing({ best: best(0.91) })), undefined);
  });

  it('stops at maxIterations, noImprovementFor, the budget and the time, whichever holds first', () => {
    assert.deepEqual(loopStopFor(loop({ maxIterations: 4 }), standing({ experiments: 4 })), {
      reason: 'max_iterations',
      text: '4 iterations done (maxIterations)',
    });
    assert.equal(loopStopFor(loop({ stop: { noImprovementFor: 2 } }), standing({ sinceLastKept: 1 })), undefined);
    assert.equal(
      loopStopFor(loop({ stop: { noImprovementFor: 2 } }), standing({ sinceLastKept: 2 }))?.reason,
      'no_improvement',
    );
    assert.deepEqual(loopStopFor(loop({ stop: { budgetUsd: 1 } }), standing({ costUsd: 1.25 })), {
      reason: 'budget',
      text: 'the iterations cost $1.2500, reaching stop.budgetUsd $1',
    });
    assert.deepEqual(loopStopFor(loop({ stop: { time: '2h' } }), standing({ durationMs: 2 * 3_600_000 })), {
      reason: 'time',
      text: 'the loop worked 2 h 00 min, reaching stop.time 2 h 00 min',
    });
    assert.equal(
      loopStopFor(loop({ stop: { time: '2h', budgetUsd: 5 } }), standing({ durationMs: 3_600_000, costUsd: 4 })),
      undefined,
    );
    assert.equal(
      loopStopFor(loop({}), standing({ experiments: 1000, sinceLastKept: 1000 })),
      undefined,
      "without conditions only the run's limits stop it",
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateTrainingMemory } from '../../src/hardware/memory-fit.js';
import { PUBLISHED_FIGURES } from './published-training-memory.js';

const GIB = 1024 ** 3;

describe('estimateTrainingMemory against published figures (docs/hardware.md)', () => {
  for (const figure of PUBLISHED_FIGURES) {
    const { kind, size } = figure.published;
    it(`${figure.model}, ${figure.settings}: ${kind} ${size}`, () => {
      const estimate = estimateTrainingMemory(figure.input);
      if (kind === 'oom') {
        assert.ok(
          estimate.totalGiB > size,
          `estimate ${estimate.totalGiB} GiB fits the ${size} GiB card that ran out of memory`,
        );
        return;
      }
      const estimated =
        kind === 'card' ? estimate.totalGiB : ((estimate.totalGiB - estimate.breakdown.overheadGiB) * GIB) / 1e9;
      const errorPercent = ((estimated - size) / size) * 100;
      assert.ok(
        errorPercent >= -figure.tolerance!.below && errorPercent <= figure.tolerance!.above,
        `estimate ${estimated.toFixed(2)} vs published ${size}: ${errorPercent.toFixed(1)}% is outside −${figure.tolerance!.below}%…+${figure.tolerance!.above}%`,
      );
    });
  }
});

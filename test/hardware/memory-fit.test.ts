import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GpuInfo } from '../../src/hardware/gpu-discovery.js';
import {
  estimateTrainingMemory,
  fitAgainstGpus,
  HEADROOM_SHARE,
  type MemoryFitEstimate,
  type MemoryFitInput,
  type TrainingQuantization,
} from '../../src/hardware/memory-fit.js';

/** Qwen2.5-14B's shape (config.json: hidden 5120, 48 layers, vocabulary 152064), QLoRA r=32 all linear. */
const QWEN_14B: MemoryFitInput = {
  parametersBillion: 14.77,
  hiddenSize: 5120,
  layers: 48,
  vocabularySize: 152_064,
  quantization: '4bit',
  loraRank: 32,
  sequenceLength: 2048,
  batchSize: 2,
};
const H100: GpuInfo = {
  index: 0,
  vendor: 'nvidia',
  name: 'NVIDIA H100 80GB HBM3',
  memoryTotalMiB: 81_559,
  memoryUsedMiB: 1_234,
  memoryFreeMiB: 80_325,
};

const FIXED_TERMS = ['weightsGiB', 'loraParametersGiB', 'optimizerGiB', 'gradientsGiB'] as const;

function fixedTerms(estimate: MemoryFitEstimate): number[] {
  return FIXED_TERMS.map((term) => estimate.breakdown[term]);
}

describe('estimateTrainingMemory: each term', () => {
  it('holds the frozen weights in less memory the more they are quantised, and changes nothing else', () => {
    const weights = (quantization: TrainingQuantization): number =>
      estimateTrainingMemory({ ...QWEN_14B, quantization }).breakdown.weightsGiB;
    assert.ok(
      weights('4bit') < weights('8bit') && weights('8bit') < weights('bf16') && weights('bf16') < weights('fp32'),
    );
    assert.equal(weights('fp16'), weights('bf16'));
    // bf16 is 2 bytes for every parameter: 14.77e9 × 2 bytes.
    assert.equal(weights('bf16'), 27.51);
    // NF4 + double quantisation: 0.516 bytes for the 13.21B linear weights; the 1.56B embedding/lm_head ones in fp32.
    assert.equal(weights('4bit'), 12.15);
    const bf16 = estimateTrainingMemory({ ...QWEN_14B, quantization: 'bf16' });
    const nf4 = estimateTrainingMemory(QWEN_14B);
    assert.deepEqual(
      [bf16.loraParameters, bf16.breakdown.activationsGiB],
      [nf4.loraParameters, nf4.breakdown.activationsGiB],
    );
  });

  it('grows only the activations (and the fragmentation share of them) when the batch doubles, and the same for twice the sequence', () => {
    const one = estimateTrainingMemory(QWEN_14B);
    const twice = estimateTrainingMemory({ ...QWEN_14B, batchSize: 4 });
    assert.deepEqual(fixedTerms(twice), fixedTerms(one));
    assert.ok(Math.abs(twice.breakdown.activationsGiB - 2 * one.breakdown.activationsGiB) <= 0.02);
    const grown = twice.breakdown.activationsGiB - one.breakdown.activationsGiB;
    assert.ok(Math.abs(twice.breakdown.overheadGiB - one.breakdown.overheadGiB - 0.05 * grown) <= 0.02);
    assert.equal(estimateTrainingMemory({ ...QWEN_14B, sequenceLength: 4096 }).totalGiB, twice.totalGiB);
  });

  it('lowers only the activations with gradient checkpointing, which is on by default', () => {
    const withCheckpoints = estimateTrainingMemory(QWEN_14B);
    const without = estimateTrainingMemory({ ...QWEN_14B, gradientCheckpointing: false });
    assert.deepEqual(estimateTrainingMemory({ ...QWEN_14B, gradientCheckpointing: true }), withCheckpoints);
    assert.deepEqual(fixedTerms(without), fixedTerms(withCheckpoints));
    // 48 layers each keeping their activations (~67 bytes × hidden per token) instead of one layer plus 2-byte inputs.
    assert.ok(
      without.breakdown.activationsGiB > 2.5 * withCheckpoints.breakdown.activationsGiB,
      `${without.breakdown.activationsGiB} vs ${withCheckpoints.breakdown.activationsGiB}`,
    );
  });

  it('scales the trainable parameters, and their weights, gradients and optimizer states, linearly with the LoRA rank', () => {
    const r16 = estimateTrainingMemory({ ...QWEN_14B, loraRank: 16 });
    const r64 = estimateTrainingMemory({ ...QWEN_14B, loraRank: 64 });
    assert.equal(r64.loraParameters, 4 * r16.loraParameters);
    for (const term of ['loraParametersGiB', 'optimizerGiB', 'gradientsGiB'] as const)
      assert.ok(Math.abs(r64.breakdown[term] - 4 * r16.breakdown[term]) <= 0.02, term);
    // AdamW keeps m and v: twice the adapter weights' bytes.
    assert.ok(Math.abs(r64.breakdown.optimizerGiB - 2 * r64.breakdown.loraParametersGiB) <= 0.01);
    assert.equal(r64.breakdown.weightsGiB, r16.breakdown.weightsGiB);
  });

  it('counts trainable parameters within 10% of what PEFT reports for real configs, fewer for attention only', () => {
    // Qwen2.5-14B (GQA, intermediate 13824): 48 × 16 × (10240 + 6144 + 6144 + 10240 + 3 × 18944) = 68,812,800 at r=16.
    const qwen = estimateTrainingMemory({ ...QWEN_14B, loraRank: 16 }).loraParameters;
    assert.ok(Math.abs(qwen / 68_812_800 - 1) < 0.1, String(qwen));
    // Llama-3-8B (GQA, intermediate 14336): 41,943,040 at r=16, as PEFT and Unsloth print it.
    const llama = estimateTrainingMemory({
      parametersBillion: 8.03,
      hiddenSize: 4096,
      layers: 32,
      vocabularySize: 128_256,
      quantization: '4bit',
      loraRank: 16,
      sequenceLength: 2048,
      batchSize: 1,
    }).loraParameters;
    assert.ok(Math.abs(llama / 41_943_040 - 1) < 0.1, String(llama));
    assert.ok(
      estimateTrainingMemory({ ...QWEN_14B, loraTargets: 'attention' }).loraParameters <
        estimateTrainingMemory(QWEN_14B).loraParameters / 2,
    );
  });

  it('adds the terms up to the total and says what it assumed', () => {
    const estimate = estimateTrainingMemory({
      parametersBillion: 14,
      quantization: '4bit',
      loraRank: 32,
      sequenceLength: 4096,
      batchSize: 1,
    });
    const sum = Object.values(estimate.breakdown).reduce((total, value) => total + value, 0);
    assert.ok(Math.abs(estimate.totalGiB - sum) < 0.005);
    assert.ok(
      estimate.assumptions.includes(
        "hidden size 5120 and 39 layers derived from 14B (pass hiddenSize and layers from the model's config.json for a closer estimate)",
      ),
      estimate.assumptions.join('\n'),
    );
    assert.ok(estimate.assumptions.some((line) => line.startsWith('vocabulary 152064')));
    assert.ok(estimate.assumptions.some((line) => line.startsWith('4bit: NF4 with double quantisation')));
    assert.ok(!estimateTrainingMemory({ ...QWEN_14B }).assumptions.some((line) => /derived|vocabulary \d/.test(line)));
  });

  it('derives a finite shape for tiny and huge models alike', () => {
    for (const parametersBillion of [0.05, 0.5, 405, 1000]) {
      const estimate = estimateTrainingMemory({
        parametersBillion,
        quantization: 'bf16',
        loraRank: 8,
        sequenceLength: 512,
        batchSize: 1,
      });
      assert.ok(
        Number.isFinite(estimate.totalGiB) && estimate.totalGiB > 0 && estimate.loraParameters > 0,
        `${parametersBillion}B`,
      );
      assert.ok(
        estimate.breakdown.weightsGiB >= (parametersBillion * 2e9) / 1024 ** 3 - 0.01,
        `${parametersBillion}B weights`,
      );
    }
    assert.match(
      estimateTrainingMemory({ ...QWEN_14B, hiddenSize: undefined }).assumptions.join('\n'),
      /hidden size \d+ derived from 14.77B and 48 layers/,
    );
  });
});

describe('estimateTrainingMemory: input validation', () => {
  const bad: Array<[Partial<Record<keyof MemoryFitInput, unknown>>, RegExp]> = [
    [{ parametersBillion: 0 }, /parametersBillion must be a positive number, got 0/],
    [{ parametersBillion: -7 }, /parametersBillion/],
    [{ parametersBillion: Number.NaN }, /parametersBillion/],
    [{ parametersBillion: '14' }, /parametersBillion must be a positive number, got "14"/],
    [{ loraRank: 1.5 }, /loraRank must be a positive integer, got 1.5/],
    [{ loraRank: 0 }, /loraRank/],
    [{ sequenceLength: 0 }, /sequenceLength must be a positive integer/],
    [{ batchSize: -2 }, /batchSize must be a positive integer, got -2/],
    [{ hiddenSize: 0 }, /hiddenSize/],
    [{ layers: 2.5 }, /layers must be a positive integer/],
    [{ vocabularySize: Number.POSITIVE_INFINITY }, /vocabularySize/],
    [{ quantization: 'int3' }, /quantization must be one of fp32, bf16, fp16, 8bit, 4bit, got "int3"/],
    [{ loraTargets: 'mlp' }, /loraTargets must be 'attention' or 'all-linear', got "mlp"/],
    [{ gradientCheckpointing: 'yes' }, /gradientCheckpointing must be true or false/],
  ];
  for (const [change, message] of bad) {
    it(`rejects ${JSON.stringify(change) ?? String(change)}`, () => {
      assert.throws(() => estimateTrainingMemory({ ...QWEN_14B, ...change } as MemoryFitInput), message);
    });
  }
});

/** The input an advice line describes, applied to `input`; fails the test on a line it cannot read. */
function follow(input: MemoryFitInput, line: string): { input: MemoryFitInput; statedGiB: number } {
  const match = /^(?:together: )?(.+): (\d+\.\d) GiB$/.exec(line);
  assert.ok(match, `not a change: ${line}`);
  let unread = match[1]!;
  const next: MemoryFitInput = { ...input };
  const read = (pattern: RegExp, apply: (found: RegExpExecArray) => void): void => {
    const found = pattern.exec(unread);
    if (!found) return;
    apply(found);
    unread = unread.replace(found[0], '');
  };
  read(/enable gradient checkpointing/, () => (next.gradientCheckpointing = true));
  read(
    /(4bit|8bit|bf16|fp16|fp32) instead of (4bit|8bit|bf16|fp16|fp32)/,
    (found) => (next.quantization = found[1] as TrainingQuantization),
  );
  read(/batch size (\d+) → (\d+) \(gradient accumulation ×(\d+) keeps the effective batch\)/, (found) => {
    assert.equal(Number(found[1]), Number(found[2]) * Number(found[3]));
    next.batchSize = Number(found[2]);
  });
  read(
    /sequence length (\d+) → (\d+) \(longer examples truncated or split\)/,
    (found) => (next.sequenceLength = Number(found[2])),
  );
  read(/LoRA rank (\d+) → (\d+)/, (found) => (next.loraRank = Number(found[2])));
  read(/LoRA on attention only \(q, k, v, o\) instead of all linear layers/, () => (next.loraTargets = 'attention'));
  assert.equal(unread.replace(/[, ]/g, ''), '', `unread change in: ${line}`);
  return { input: next, statedGiB: Number(match[2]) };
}

/** Every advice line after the first, followed and re-estimated, fits in 90% of the GPU's free memory as it says. */
function assertAdviceFits(input: MemoryFitInput, fit: ReturnType<typeof fitAgainstGpus>): string[] {
  const changes = fit.advice.slice(1);
  assert.ok(changes.length > 0, 'no change advised');
  for (const line of changes) {
    const followed = follow(input, line);
    const total = estimateTrainingMemory(followed.input).totalGiB;
    assert.equal(total.toFixed(1), followed.statedGiB.toFixed(1), line);
    assert.ok(
      total <= (1 - HEADROOM_SHARE) * fit.gpu!.freeGiB,
      `${line}: ${total} GiB does not leave 10% of ${fit.gpu!.freeGiB} GiB`,
    );
  }
  return changes;
}

describe('fitAgainstGpus', () => {
  it('says no GPU was found when there is none', () => {
    const fit = fitAgainstGpus(estimateTrainingMemory(QWEN_14B), QWEN_14B, []);
    assert.equal(fit.fits, false);
    assert.equal(fit.gpu, undefined);
    assert.match(fit.advice.join('\n'), /no GPU was found/);
  });

  it('measures against the GPU with the most free memory and gives no advice when there is room', () => {
    const busy: GpuInfo = { ...H100, index: 0, memoryUsedMiB: 70_000, memoryFreeMiB: 11_559 };
    const small: GpuInfo = {
      index: 1,
      vendor: 'nvidia',
      name: 'NVIDIA L4',
      memoryTotalMiB: 23_034,
      memoryUsedMiB: 0,
      memoryFreeMiB: 23_034,
    };
    const idle: GpuInfo = { ...H100, index: 2 };
    const estimate = estimateTrainingMemory(QWEN_14B);
    const fit = fitAgainstGpus(estimate, QWEN_14B, [busy, small, idle]);
    assert.deepEqual(fit.gpu, { index: 2, name: 'NVIDIA H100 80GB HBM3', freeGiB: 78.44, totalGiB: 79.65 });
    assert.equal(fit.fits, true);
    assert.equal(fit.headroomGiB, Math.round((78.44 - estimate.totalGiB) * 100) / 100);
    assert.deepEqual(fit.advice, []);
  });

  it('advises single changes that each fit when it does not, every one checked by re-estimating', () => {
    const input: MemoryFitInput = {
      parametersBillion: 14,
      quantization: 'bf16',
      loraRank: 32,
      sequenceLength: 4096,
      batchSize: 4,
    };
    const fit = fitAgainstGpus(estimateTrainingMemory(input), input, [H100]);
    assert.equal(fit.fits, false);
    assert.ok(fit.headroomGiB! < 0);
    assert.match(fit.advice[0]!, /^needs \d+\.\d+ GiB, \d+\.\d GiB more than the 78.44 GiB free on GPU0$/);
    const changes = assertAdviceFits(input, fit);
    assert.ok(changes.some((line) => line.startsWith('4bit instead of bf16')));
    assert.ok(changes.some((line) => line.startsWith('batch size 4 → 2 (gradient accumulation ×2')));
    assert.ok(changes.some((line) => line.startsWith('sequence length 4096 → 2048')));
  });

  it('advises enabling gradient checkpointing when that alone is enough', () => {
    const input: MemoryFitInput = { ...QWEN_14B, sequenceLength: 4096, gradientCheckpointing: false };
    const fit = fitAgainstGpus(estimateTrainingMemory(input), input, [H100]);
    assert.equal(fit.fits, false);
    assert.ok(assertAdviceFits(input, fit).some((line) => line.startsWith('enable gradient checkpointing: ')));
  });

  it('advises a combination when no single change is enough', () => {
    const input: MemoryFitInput = {
      parametersBillion: 70,
      quantization: 'bf16',
      loraRank: 64,
      sequenceLength: 8192,
      batchSize: 8,
      gradientCheckpointing: false,
    };
    const fit = fitAgainstGpus(estimateTrainingMemory(input), input, [H100]);
    const [combination, ...others] = assertAdviceFits(input, fit);
    assert.deepEqual(others, []);
    assert.match(combination!, /^together: enable gradient checkpointing, 4bit instead of bf16, batch size 8 → \d/);
  });

  it('warns when it fits with less than 10% to spare, and advises changes that restore the margin', () => {
    const l4: GpuInfo = {
      index: 0,
      vendor: 'nvidia',
      name: 'NVIDIA L4',
      memoryTotalMiB: 23_034,
      memoryUsedMiB: 0,
      memoryFreeMiB: 23_034,
    };
    const input: MemoryFitInput = {
      parametersBillion: 8.03,
      hiddenSize: 4096,
      layers: 32,
      vocabularySize: 128_256,
      quantization: '4bit',
      loraRank: 32,
      sequenceLength: 4096,
      batchSize: 1,
    };
    const fit = fitAgainstGpus(estimateTrainingMemory(input), input, [l4]);
    assert.equal(fit.fits, true);
    assert.ok(fit.headroomGiB! >= 0 && fit.headroomGiB! < HEADROOM_SHARE * fit.gpu!.freeGiB, String(fit.headroomGiB));
    assert.match(fit.advice[0]!, /^fits with only \d+(\.\d+)? GiB to spare/);
    assertAdviceFits(input, fit);
  });

  it('says when nothing can make it fit', () => {
    const input: MemoryFitInput = {
      parametersBillion: 405,
      quantization: 'bf16',
      loraRank: 16,
      sequenceLength: 2048,
      batchSize: 1,
    };
    const fit = fitAgainstGpus(estimateTrainingMemory(input), input, [H100]);
    assert.equal(fit.fits, false);
    assert.equal(fit.advice.length, 2);
    assert.match(
      fit.advice[1]!,
      /^even all together, .*4bit instead of bf16.*: \d+\.\d GiB, over the 70\.6 GiB aimed at: use a GPU with more memory/,
    );
  });

  it('counts a GPU whose memory in use is unknown as all free, and says so; cannot judge without any memory size', () => {
    const unknownUse: GpuInfo = { index: 3, vendor: 'amd', name: 'AMD Instinct MI300X', memoryTotalMiB: 196_592 };
    const fit = fitAgainstGpus(estimateTrainingMemory(QWEN_14B), QWEN_14B, [unknownUse]);
    assert.equal(fit.gpu?.freeGiB, 191.98);
    assert.deepEqual(fit.advice, ['GPU3 did not report its memory in use; all 191.98 GiB counted as free']);
    const blind = fitAgainstGpus(estimateTrainingMemory(QWEN_14B), QWEN_14B, [
      { index: 0, vendor: 'amd', name: 'AMD GPU' },
    ]);
    assert.equal(blind.fits, false);
    assert.match(blind.advice[0]!, /did not report any GPU memory size/);
  });
});

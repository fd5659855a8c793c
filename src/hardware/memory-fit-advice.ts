import type { MemoryFitInput, TrainingQuantization } from './memory-fit.js';

/** From the least to the most lossy way to hold the frozen weights (fp16 is no smaller than bf16, so it is skipped). */
const COMPACTNESS: readonly TrainingQuantization[] = ['fp32', 'bf16', '8bit', '4bit'];
const MIN_SEQUENCE_LENGTH = 64;
const MIN_RANK = 4;

/** One ladder per setting: the inputs with only that setting changed, gentlest step first; empty at its floor. */
const LADDERS: ReadonlyArray<(input: MemoryFitInput) => MemoryFitInput[]> = [
  (input) => (input.gradientCheckpointing === false ? [{ ...input, gradientCheckpointing: true }] : []),
  (input) =>
    COMPACTNESS.slice(COMPACTNESS.indexOf(input.quantization === 'fp16' ? 'bf16' : input.quantization) + 1).map(
      (quantization) => ({ ...input, quantization }),
    ),
  (input) => divisorsBelow(input.batchSize).map((batchSize) => ({ ...input, batchSize })),
  (input) =>
    halvings(input.sequenceLength, MIN_SEQUENCE_LENGTH).map((sequenceLength) => ({ ...input, sequenceLength })),
  (input) => halvings(input.loraRank, MIN_RANK).map((loraRank) => ({ ...input, loraRank })),
  (input) =>
    (input.loraTargets ?? 'all-linear') === 'all-linear' ? [{ ...input, loraTargets: 'attention' as const }] : [],
];

/**
 * Changes that bring the estimate (`totalGiB` of a re-estimate) to `targetGiB` or under: each single change that
 * does, at its gentlest sufficient step ("batch size 8 → 2 (…): 41.3 GiB"); when none does alone, the combination
 * found by taking each setting in turn only as far as needed; when not even all of them at their floor do, a line
 * saying so.
 */
export function adviseChanges(
  input: MemoryFitInput,
  targetGiB: number,
  totalGiB: (input: MemoryFitInput) => number,
): string[] {
  const fits = (candidate: MemoryFitInput): boolean => totalGiB(candidate) <= targetGiB;
  const result = (candidate: MemoryFitInput): string =>
    `${describeChanges(input, candidate)}: ${totalGiB(candidate).toFixed(1)} GiB`;

  const singles = LADDERS.map((ladder) => ladder(input).find(fits)).filter((candidate) => candidate !== undefined);
  if (singles.length > 0) return singles.map(result);

  let combined = input;
  for (const ladder of LADDERS) {
    const candidates = ladder(combined);
    combined = candidates.find(fits) ?? candidates[candidates.length - 1] ?? combined;
    if (fits(combined)) return [`together: ${result(combined)}`];
  }
  return [
    `even all together, ${result(combined)}, over the ${targetGiB.toFixed(1)} GiB aimed at: use a GPU with more memory, several GPUs (FSDP/DeepSpeed), or a smaller model`,
  ];
}

/** The settings that differ between two inputs, in words. */
function describeChanges(from: MemoryFitInput, to: MemoryFitInput): string {
  const changes: string[] = [];
  if ((from.gradientCheckpointing ?? true) !== (to.gradientCheckpointing ?? true))
    changes.push('enable gradient checkpointing');
  if (from.quantization !== to.quantization) changes.push(`${to.quantization} instead of ${from.quantization}`);
  if (from.batchSize !== to.batchSize)
    changes.push(
      `batch size ${from.batchSize} → ${to.batchSize} (gradient accumulation ×${from.batchSize / to.batchSize} keeps the effective batch)`,
    );
  if (from.sequenceLength !== to.sequenceLength)
    changes.push(`sequence length ${from.sequenceLength} → ${to.sequenceLength} (longer examples truncated or split)`);
  if (from.loraRank !== to.loraRank) changes.push(`LoRA rank ${from.loraRank} → ${to.loraRank}`);
  if ((from.loraTargets ?? 'all-linear') !== (to.loraTargets ?? 'all-linear'))
    changes.push('LoRA on attention only (q, k, v, o) instead of all linear layers');
  return changes.join(', ');
}

function divisorsBelow(value: number): number[] {
  return Array.from({ length: value - 1 }, (_, index) => value - 1 - index).filter((divisor) => value % divisor === 0);
}

function halvings(value: number, floor: number): number[] {
  const values: number[] = [];
  for (let next = Math.floor(value / 2); next >= floor; next = Math.floor(next / 2)) values.push(next);
  return values;
}

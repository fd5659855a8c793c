import type { MemoryFitInput } from '../../src/hardware/memory-fit.js';

/**
 * Published memory figures for LoRA/QLoRA fine-tunes, with the settings they were taken at, and how close the
 * estimate must come (docs/hardware.md prints the same table):
 * - `card`: the run just fits a card of this size (GiB, as cards are sold); compared with totalGiB;
 * - `allocated`: torch.cuda.max_memory_allocated in 10⁹ bytes, which leaves out the CUDA context and the
 *   allocator's cache; compared with totalGiB − overheadGiB;
 * - `oom`: the run did not fit a card of this size; the estimate must be above it.
 */
export interface PublishedFigure {
  source: string;
  model: string;
  settings: string;
  input: MemoryFitInput;
  published: { kind: 'card' | 'allocated' | 'oom'; size: number };
  /** Allowed error of the estimate, in % of the published figure (none for `oom`). */
  tolerance?: { below: number; above: number };
}

const UNSLOTH = 'Unsloth README, "Context length benchmarks", Hugging Face + FA2 column';
const LITGPT = 'LitGPT tutorials/resource-tables.md (A100 40GB, 10/2023)';
const LLAMA_31_8B = { parametersBillion: 8.03, hiddenSize: 4096, layers: 32, vocabularySize: 128_256 };
const LLAMA_33_70B = { parametersBillion: 70.55, hiddenSize: 8192, layers: 80, vocabularySize: 128_256 };
const LLAMA_2_7B = { parametersBillion: 6.74, hiddenSize: 4096, layers: 32, vocabularySize: 32_000 };
const LLAMA_2_13B = { parametersBillion: 13.02, hiddenSize: 5120, layers: 40, vocabularySize: 32_000 };
const UNSLOTH_QLORA = { quantization: '4bit', loraRank: 32, loraTargets: 'all-linear', batchSize: 1 } as const;
const LITGPT_LORA = {
  loraRank: 8,
  loraTargets: 'attention',
  sequenceLength: 1304,
  gradientCheckpointing: false,
} as const;
const WITHIN_5 = { below: 5, above: 5 };
const OVER_BY_0_TO_15 = { below: 0, above: 15 };

export const PUBLISHED_FIGURES: PublishedFigure[] = [
  ...(
    [
      [932, 12],
      [2551, 16],
      [5789, 24],
      [12264, 40],
      [15502, 48],
      [28454, 80],
    ] as const
  ).map(([sequenceLength, card]): PublishedFigure => ({
    source: UNSLOTH,
    model: 'Llama 3.1 8B',
    settings: `QLoRA r=32 all linear, batch 1, ${sequenceLength} tokens`,
    input: { ...LLAMA_31_8B, ...UNSLOTH_QLORA, sequenceLength },
    published: { kind: 'card', size: card },
    tolerance: WITHIN_5,
  })),
  {
    source: UNSLOTH,
    model: 'Llama 3.1 8B',
    settings: 'QLoRA r=32 all linear, batch 1, 256 tokens',
    input: { ...LLAMA_31_8B, ...UNSLOTH_QLORA, sequenceLength: 256 },
    published: { kind: 'oom', size: 8 },
  },
  {
    source: UNSLOTH,
    model: 'Llama 3.3 70B',
    settings: 'QLoRA r=32 all linear, batch 1, 6916 tokens',
    input: { ...LLAMA_33_70B, ...UNSLOTH_QLORA, sequenceLength: 6916 },
    published: { kind: 'card', size: 80 },
    tolerance: WITHIN_5,
  },
  {
    source: UNSLOTH,
    model: 'Llama 3.3 70B',
    settings: 'QLoRA r=32 all linear, batch 1, 256 tokens',
    input: { ...LLAMA_33_70B, ...UNSLOTH_QLORA, sequenceLength: 256 },
    published: { kind: 'oom', size: 48 },
  },
  {
    source: 'QLoRA paper (Dettmers et al. 2023) and its finetune_guanaco_65b.sh',
    model: 'LLaMA 65B',
    settings: 'QLoRA r=64 all linear, batch 1, 512 tokens',
    input: {
      parametersBillion: 65.2,
      hiddenSize: 8192,
      layers: 80,
      vocabularySize: 32_000,
      quantization: '4bit',
      loraRank: 64,
      sequenceLength: 512,
      batchSize: 1,
    },
    published: { kind: 'card', size: 48 },
    tolerance: WITHIN_5,
  },
  ...(
    [
      ['Llama 2 7B', LLAMA_2_7B, 'bf16', 1, 21.3],
      ['Llama 2 7B', LLAMA_2_7B, 'bf16', 2, 29.07],
      ['Llama 2 7B', LLAMA_2_7B, '4bit', 1, 13.84],
      ['Llama 2 13B', LLAMA_2_13B, 'bf16', 1, 38.12],
      ['Llama 2 13B', LLAMA_2_13B, '4bit', 1, 22.55],
    ] as const
  ).map(([model, shape, quantization, batchSize, gb]): PublishedFigure => ({
    source: LITGPT,
    model,
    settings: `${quantization === '4bit' ? 'QLoRA (nf4-dq)' : 'LoRA bf16'} r=8 on q,v, batch ${batchSize}, 1304 tokens, no checkpointing`,
    input: { ...shape, ...LITGPT_LORA, quantization, batchSize },
    published: { kind: 'allocated', size: gb },
    tolerance: OVER_BY_0_TO_15,
  })),
];

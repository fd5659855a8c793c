import type { GpuInfo } from './gpu-discovery.js';
import { adviseChanges } from './memory-fit-advice.js';
import { modelShape } from './model-shape.js';

export type TrainingQuantization = '4bit' | '8bit' | 'bf16' | 'fp16' | 'fp32';

export interface MemoryFitInput {
  /** Total model parameters, e.g. 14 for a 14B model. */
  parametersBillion: number;
  /** How the frozen base weights are held (4bit = QLoRA NF4 with double quantisation). */
  quantization: TrainingQuantization;
  loraRank: number;
  /** Tokens per example (every example padded to it). */
  sequenceLength: number;
  /** Micro-batch per GPU. */
  batchSize: number;
  /** Default true. */
  gradientCheckpointing?: boolean;
  /** Architecture facts from the model's config.json; derived from parametersBillion when absent. */
  hiddenSize?: number;
  layers?: number;
  /** Default 152064 (Qwen2.5). */
  vocabularySize?: number;
  /** Default 'all-linear' (q, k, v, o, gate, up, down); 'attention' is q, k, v, o. */
  loraTargets?: 'attention' | 'all-linear';
}

export interface MemoryFitEstimate {
  totalGiB: number;
  breakdown: {
    weightsGiB: number;
    loraParametersGiB: number;
    optimizerGiB: number;
    gradientsGiB: number;
    activationsGiB: number;
    overheadGiB: number;
  };
  /** Count of trainable (LoRA) parameters. */
  loraParameters: number;
  assumptions: string[];
}

export interface MemoryFit {
  fits: boolean;
  gpu?: { index: number; name: string; freeGiB: number; totalGiB: number };
  headroomGiB?: number;
  advice: string[];
}

const QUANTIZATIONS: readonly TrainingQuantization[] = ['fp32', 'bf16', 'fp16', '8bit', '4bit'];
/** Below this share of the GPU's free memory left over, a fit is called tight and advice is given. */
export const HEADROOM_SHARE = 0.1;

const GIB = 1024 ** 3;
/** NF4 (4 bits) + double-quantised constants (8-bit per 64 weights + fp32 per 256 blocks: 0.127 bits), QLoRA §3. */
const NF4_DOUBLE_QUANT_BYTES = (4 + 8 / 64 + 32 / (64 * 256)) / 8;
const WEIGHT_BYTES: Record<TrainingQuantization, number> = {
  '4bit': NF4_DOUBLE_QUANT_BYTES,
  '8bit': 1,
  bf16: 2,
  fp16: 2,
  fp32: 4,
};
/** LoRA weights (fp32: PEFT upcasts adapters), their fp32 gradients, and AdamW's fp32 m and v. */
const LORA_WEIGHT_BYTES = 4;
const LORA_GRADIENT_BYTES = 4;
const ADAMW_STATE_BYTES = 8;
/** Per token and vocabulary entry at the loss: bf16 logits (2), their fp32 upcast (4), log-softmax (4), its fp32 gradient (4), the bf16 gradient into lm_head (2). */
const LOGIT_BYTES = 16;
/** CUDA context, cuBLAS/cuDNN workspaces and the allocator's first blocks. */
const CONTEXT_BYTES = 1 * GIB;
/** Allocator fragmentation and short-lived buffers (dequantised weights, optimizer-step temporaries), as a share of the rest. */
const FRAGMENTATION_SHARE = 0.05;

/**
 * Peak GPU memory of a LoRA/QLoRA fine-tune on one GPU with the Hugging Face stack (transformers + PEFT +
 * bitsandbytes, flash/SDPA attention, AdamW), term by term; docs/hardware.md gives every formula and how far it
 * is from published measurements. Throws on nonsense input, naming the field.
 */
export function estimateTrainingMemory(input: MemoryFitInput): MemoryFitEstimate {
  validate(input);
  const shape = modelShape(input.parametersBillion, input);
  const { hidden: h, layers: L, vocabulary: V, intermediate: i } = shape;
  const kbit = input.quantization === '4bit' || input.quantization === '8bit';
  const checkpointing = input.gradientCheckpointing ?? true;
  const allLinear = (input.loraTargets ?? 'all-linear') === 'all-linear';

  const linearParameters = input.parametersBillion * 1e9 - shape.embeddingParameters;
  const weights =
    linearParameters * WEIGHT_BYTES[input.quantization] +
    shape.embeddingParameters * (kbit ? 4 : WEIGHT_BYTES[input.quantization]);

  // Per layer and rank, each adapted linear adds r × (d_in + d_out): q, k, v, o are h → h; gate, up h → i; down i → h.
  const loraParameters = L * input.loraRank * (allLinear ? 8 * h + 3 * (h + i) : 8 * h);

  // Bytes one token keeps for one layer's backward (bf16): 20h + 8i for the block itself, plus 3 bytes per
  // adapted input element (dropout mask + the copy fed to lora_A).
  const layerBytesPerToken = 20 * h + 8 * i + (allLinear ? 3 * (6 * h + i) : 3 * 4 * h);
  const tokens = input.batchSize * input.sequenceLength;
  const blockActivations = checkpointing ? tokens * (L * 2 * h + layerBytesPerToken) : tokens * L * layerBytesPerToken;
  const activations = blockActivations + tokens * V * LOGIT_BYTES;

  const terms = {
    weightsGiB: weights / GIB,
    loraParametersGiB: (loraParameters * LORA_WEIGHT_BYTES) / GIB,
    optimizerGiB: (loraParameters * ADAMW_STATE_BYTES) / GIB,
    gradientsGiB: (loraParameters * LORA_GRADIENT_BYTES) / GIB,
    activationsGiB: activations / GIB,
  };
  const rest = Object.values(terms).reduce((sum, value) => sum + value, 0);
  const breakdown = mapValues({ ...terms, overheadGiB: CONTEXT_BYTES / GIB + FRAGMENTATION_SHARE * rest }, round2);
  return {
    totalGiB: round2(Object.values(breakdown).reduce((sum, value) => sum + value, 0)),
    breakdown,
    loraParameters,
    assumptions: [
      ...shape.assumptions,
      weightAssumption(input.quantization, shape.embeddingParameters),
      `LoRA on ${allLinear ? 'all linear layers (q, k, v, o, gate, up, down)' : 'attention (q, k, v, o)'}: adapters, their gradients and AdamW m and v in fp32, 16 bytes per trainable parameter`,
      checkpointing
        ? 'gradient checkpointing per decoder layer: each layer keeps its bf16 input, one layer is recomputed at a time'
        : 'no gradient checkpointing: every layer keeps its activations until the backward pass',
      'flash/SDPA attention (no sequence² attention matrix), LoRA dropout > 0, every example padded to sequenceLength',
      `loss on full fp32 logits (${LOGIT_BYTES} bytes per token and vocabulary entry); chunked cross-entropy (Unsloth, Liger) needs far less`,
      `overhead: ${CONTEXT_BYTES / GIB} GiB CUDA context and workspaces + ${FRAGMENTATION_SHARE * 100}% for allocator fragmentation`,
    ],
  };
}

/**
 * Whether the estimate fits the GPU with the most free memory. When it does not, or leaves less than 10% of that
 * memory over, the advice lists single changes (and, failing those, one combination) that do, each re-estimated.
 */
export function fitAgainstGpus(estimate: MemoryFitEstimate, input: MemoryFitInput, gpus: GpuInfo[]): MemoryFit {
  if (gpus.length === 0)
    return {
      fits: false,
      advice: ['no GPU was found, so nothing to train on: run on a machine with a GPU (see `mux-swarm status`)'],
    };
  const known = gpus.filter((gpu) => gpu.memoryTotalMiB !== undefined);
  if (known.length === 0)
    return { fits: false, advice: ['the GPU tools did not report any GPU memory size, so the fit cannot be judged'] };
  const free = (gpu: GpuInfo): number => (gpu.memoryFreeMiB ?? gpu.memoryTotalMiB ?? 0) / 1024;
  const best = known.reduce((most, gpu) => (free(gpu) > free(most) ? gpu : most));
  const freeGiB = round2(free(best));
  const headroomGiB = round2(freeGiB - estimate.totalGiB);
  const gpu = { index: best.index, name: best.name, freeGiB, totalGiB: round2((best.memoryTotalMiB ?? 0) / 1024) };
  const advice: string[] = [];
  if (best.memoryFreeMiB === undefined)
    advice.push(`GPU${best.index} did not report its memory in use; all ${gpu.totalGiB} GiB counted as free`);
  if (headroomGiB < HEADROOM_SHARE * freeGiB) {
    advice.push(
      headroomGiB < 0
        ? `needs ${estimate.totalGiB} GiB, ${round1(-headroomGiB)} GiB more than the ${freeGiB} GiB free on GPU${best.index}`
        : `fits with only ${headroomGiB} GiB to spare (under ${HEADROOM_SHARE * 100}% of the ${freeGiB} GiB free); an allocation spike can still run out`,
      ...adviseChanges(input, (1 - HEADROOM_SHARE) * freeGiB, (changed) => estimateTrainingMemory(changed).totalGiB),
    );
  }
  return { fits: headroomGiB >= 0, gpu, headroomGiB, advice };
}

function validate(input: MemoryFitInput): void {
  const positive = (field: keyof MemoryFitInput, value: unknown, integer: boolean): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(
        `estimateTrainingMemory: ${field} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value) ?? String(value)}`,
      );
    }
  };
  positive('parametersBillion', input.parametersBillion, false);
  for (const field of ['loraRank', 'sequenceLength', 'batchSize'] as const) positive(field, input[field], true);
  for (const field of ['hiddenSize', 'layers', 'vocabularySize'] as const)
    if (input[field] !== undefined) positive(field, input[field], true);
  if (!QUANTIZATIONS.includes(input.quantization))
    throw new Error(
      `estimateTrainingMemory: quantization must be one of ${QUANTIZATIONS.join(', ')}, got ${JSON.stringify(input.quantization)}`,
    );
  if (input.loraTargets !== undefined && input.loraTargets !== 'attention' && input.loraTargets !== 'all-linear') {
    throw new Error(
      `estimateTrainingMemory: loraTargets must be 'attention' or 'all-linear', got ${JSON.stringify(input.loraTargets)}`,
    );
  }
  if (input.gradientCheckpointing !== undefined && typeof input.gradientCheckpointing !== 'boolean') {
    throw new Error(
      `estimateTrainingMemory: gradientCheckpointing must be true or false, got ${JSON.stringify(input.gradientCheckpointing)}`,
    );
  }
}

function weightAssumption(quantization: TrainingQuantization, embeddingParameters: number): string {
  const embeddings = `embeddings and lm_head (${(embeddingParameters / 1e9).toFixed(2)}B parameters)`;
  switch (quantization) {
    case '4bit':
      return `4bit: NF4 with double quantisation, ${(NF4_DOUBLE_QUANT_BYTES * 8).toFixed(3)} bits per linear weight; ${embeddings} not quantised, in fp32 as prepare_model_for_kbit_training leaves them`;
    case '8bit':
      return `8bit: LLM.int8, 1 byte per linear weight; ${embeddings} not quantised, in fp32 as prepare_model_for_kbit_training leaves them`;
    default:
      return `${quantization}: ${WEIGHT_BYTES[quantization]} bytes per weight, embeddings included`;
  }
}

function mapValues<T extends Record<string, number>>(record: T, map: (value: number) => number): T {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)])) as T;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

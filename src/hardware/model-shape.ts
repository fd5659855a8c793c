/** The architecture facts a training-memory estimate needs, given or derived from the parameter count. */
export interface ModelShape {
  hidden: number;
  layers: number;
  vocabulary: number;
  /** MLP width (gate/up output, down input). */
  intermediate: number;
  /** Input embedding plus an untied lm_head: the parameters that are never quantised. */
  embeddingParameters: number;
  assumptions: string[];
}

/** Qwen2.5's vocabulary (151,646 tokens padded to 152,064), used when none is given. */
export const DEFAULT_VOCABULARY = 152_064;
/** MLP intermediate size over hidden size in a llama/qwen SwiGLU block (Llama-2 13B and Qwen2.5-14B: 2.7). */
export const MLP_RATIO = 2.7;
/** Parameters of one decoder layer over hidden²: q, k, v, o at hidden × hidden (4) + gate, up, down (3 × 2.7). */
const LAYER_PARAMETERS_PER_HIDDEN_SQUARED = 4 + 3 * MLP_RATIO;
/** hidden ≈ 2140 × (billions of parameters)^⅓ goes through 7B → 4096, 14B → 5120, 70B → 8800. */
const HIDDEN_PER_CUBE_ROOT_BILLION = 2140;
/** A derived hidden size keeps the embeddings at most this share of the parameters (small models are deep and narrow). */
const MAX_EMBEDDING_SHARE = 0.4;

/** The shape of a llama/qwen-style decoder, from the facts given and the parameter count for the rest. */
export function modelShape(
  parametersBillion: number,
  facts: { hiddenSize?: number; layers?: number; vocabularySize?: number },
): ModelShape {
  const parameters = parametersBillion * 1e9;
  const vocabulary = facts.vocabularySize ?? DEFAULT_VOCABULARY;
  const assumptions: string[] = [];
  if (facts.vocabularySize === undefined)
    assumptions.push(`vocabulary ${vocabulary} (Qwen2.5's; pass vocabularySize for another tokenizer)`);

  let hidden = facts.hiddenSize;
  let layers = facts.layers;
  if (hidden === undefined && layers !== undefined) {
    // layers × 12.1 × hidden² + 2 × vocabulary × hidden = parameters, solved for hidden.
    const a = layers * LAYER_PARAMETERS_PER_HIDDEN_SQUARED;
    hidden = roundTo(64, (-2 * vocabulary + Math.sqrt(4 * vocabulary ** 2 + 4 * a * parameters)) / (2 * a));
    assumptions.push(`hidden size ${hidden} derived from ${parametersBillion}B and ${layers} layers`);
  } else if (hidden === undefined) {
    const byScale = HIDDEN_PER_CUBE_ROOT_BILLION * Math.cbrt(parametersBillion);
    const byEmbeddingShare = (MAX_EMBEDDING_SHARE * parameters) / (2 * vocabulary);
    hidden = roundTo(128, Math.min(byScale, byEmbeddingShare));
  }
  if (layers === undefined) {
    layers = Math.max(
      1,
      Math.round((parameters - 2 * vocabulary * hidden) / (LAYER_PARAMETERS_PER_HIDDEN_SQUARED * hidden ** 2)),
    );
    const derived = facts.hiddenSize === undefined ? `hidden size ${hidden} and ${layers} layers` : `${layers} layers`;
    assumptions.push(
      `${derived} derived from ${parametersBillion}B (pass hiddenSize and layers from the model's config.json for a closer estimate)`,
    );
  }
  const intermediate = Math.round(MLP_RATIO * hidden);
  assumptions.push(
    `llama/qwen-style block: MLP intermediate ${MLP_RATIO} × hidden = ${intermediate}; k and v counted as wide as q (full multi-head), which over-counts the LoRA parameters of grouped-query models by a few %`,
  );
  return {
    hidden,
    layers,
    vocabulary,
    intermediate,
    embeddingParameters: Math.min(parameters, 2 * vocabulary * hidden),
    assumptions,
  };
}

function roundTo(step: number, value: number): number {
  return Math.max(step, Math.round(value / step) * step);
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { GpuDiscovery } from '../../../hardware/gpu-discovery.js';
import { estimateTrainingMemory, fitAgainstGpus, type MemoryFitInput } from '../../../hardware/memory-fit.js';
import { errorResult } from '../../tool-results.js';

/** estimate_memory: will these training settings fit on this machine's GPUs? */
export function registerEstimateMemoryTool(server: McpServer, discover: () => Promise<GpuDiscovery>): void {
  server.registerTool(
    'estimate_memory',
    {
      title: 'Estimate training memory',
      description:
        'Estimates the GPU memory a LoRA/QLoRA fine-tune needs — base weights at the given quantisation, LoRA ' +
        'parameters, optimizer state, gradients, activations, CUDA overhead — and compares it with the free memory ' +
        "of this machine's GPUs, with concrete changes that would fit when it does not. An estimate (see " +
        'docs/hardware.md for its error against published figures): leave headroom.',
      inputSchema: {
        parameters_billion: z.number().positive().describe('Model size in billions of parameters, e.g. 14'),
        quantization: z
          .enum(['4bit', '8bit', 'bf16', 'fp16', 'fp32'])
          .describe('How the base weights are held: 4bit = QLoRA NF4'),
        lora_rank: z.number().int().positive().default(32),
        sequence_length: z.number().int().positive().default(2048),
        batch_size: z.number().int().positive().default(1).describe('Micro-batch per GPU'),
        gradient_checkpointing: z.boolean().default(true),
        hidden_size: z.number().int().positive().optional(),
        layers: z.number().int().positive().optional(),
        vocabulary_size: z.number().int().positive().optional(),
        lora_targets: z.enum(['attention', 'all-linear']).default('all-linear'),
      },
      annotations: { readOnlyHint: true },
    },
    async (input) => {
      const request: MemoryFitInput = {
        parametersBillion: input.parameters_billion,
        quantization: input.quantization,
        loraRank: input.lora_rank,
        sequenceLength: input.sequence_length,
        batchSize: input.batch_size,
        gradientCheckpointing: input.gradient_checkpointing,
        loraTargets: input.lora_targets,
        ...(input.hidden_size === undefined ? {} : { hiddenSize: input.hidden_size }),
        ...(input.layers === undefined ? {} : { layers: input.layers }),
        ...(input.vocabulary_size === undefined ? {} : { vocabularySize: input.vocabulary_size }),
      };
      let estimate;
      try {
        estimate = estimateTrainingMemory(request);
      } catch (error) {
        return errorResult((error as Error).message);
      }
      const discovery = await discover();
      const fit = fitAgainstGpus(estimate, request, discovery.gpus);
      const parts = Object.entries(estimate.breakdown).map(
        ([part, gib]) => `${part.replace(/GiB$/, '')} ${gib.toFixed(1)}`,
      );
      const lines = [
        `Estimated need: ${estimate.totalGiB.toFixed(1)} GiB (${parts.join(', ')} GiB); ${estimate.loraParameters.toLocaleString('en-US')} trainable LoRA parameters.`,
        fit.gpu === undefined
          ? 'No GPU to compare with.'
          : `${fit.fits ? 'Fits' : 'Does not fit'} on GPU${fit.gpu.index} ${fit.gpu.name}: ${fit.gpu.freeGiB.toFixed(1)} GiB free of ${fit.gpu.totalGiB.toFixed(1)} GiB` +
            (fit.headroomGiB === undefined ? '.' : ` (headroom ${fit.headroomGiB.toFixed(1)} GiB).`),
        ...fit.advice.map((advice) => `- ${advice}`),
        `Assumptions: ${estimate.assumptions.join('; ')}.`,
      ];
      return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: { estimate, fit } };
    },
  );
}

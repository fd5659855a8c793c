import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { summarizeGpus, type GpuDiscovery } from '../../hardware/gpu-discovery.js';
import { estimateTrainingMemory, fitAgainstGpus, type MemoryFitInput } from '../../hardware/memory-fit.js';
import { errorResult } from '../tool-results.js';

export interface GpuToolsOptions {
  /** How GPUs are found: discovery through nvidia-smi, amd-smi or rocm-smi, or a stand-in in tests. */
  discover: () => Promise<GpuDiscovery>;
}

const gpuShape = z.object({
  index: z.number().int(),
  vendor: z.string(),
  name: z.string(),
  memoryTotalMiB: z.number().optional(),
  memoryUsedMiB: z.number().optional(),
  memoryFreeMiB: z.number().optional(),
  utilizationPercent: z.number().optional(),
  temperatureC: z.number().optional(),
  powerDrawW: z.number().optional(),
  driver: z.string().optional(),
});

/** Registers `gpu` (what the box has, now) and `estimate_memory` (will these training settings fit?). */
export function registerGpuTools(server: McpServer, options: GpuToolsOptions): void {
  const { discover } = options;

  server.registerTool(
    'gpu',
    {
      title: 'GPUs of this machine',
      description:
        'The GPUs of the machine mux-swarm runs on, from nvidia-smi (else amd-smi or rocm-smi): name, memory total/' +
        'used/free in MiB, utilisation, temperature, power draw and driver — or why none was found.',
      inputSchema: {},
      outputSchema: { gpus: z.array(gpuShape.passthrough()), source: z.string(), note: z.string().optional() },
      annotations: { readOnlyHint: true },
    },
    async () => {
      const discovery = await discover();
      return {
        content: [{ type: 'text', text: discovery.gpus.length === 0 ? `No GPU found. ${discovery.note ?? ''}`.trim() : summarizeGpus(discovery) }],
        structuredContent: { gpus: discovery.gpus, source: discovery.source, ...(discovery.note === undefined ? {} : { note: discovery.note }) },
      };
    },
  );

  server.registerTool(
    'estimate_memory',
    {
      title: 'Estimate training memory',
      description:
        'Estimates the GPU memory a LoRA/QLoRA fine-tune needs — base weights at the given quantisation, LoRA ' +
        'parameters, optimizer state, gradients, activations, CUDA overhead — and compares it with the free memory ' +
        'of this machine\'s GPUs, with concrete changes that would fit when it does not. An estimate (see ' +
        'docs/hardware.md for its error against published figures): leave headroom.',
      inputSchema: {
        parameters_billion: z.number().positive().describe('Model size in billions of parameters, e.g. 14'),
        quantization: z.enum(['4bit', '8bit', 'bf16', 'fp16', 'fp32']).describe('How the base weights are held: 4bit = QLoRA NF4'),
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
      const parts = Object.entries(estimate.breakdown).map(([part, gib]) => `${part.replace(/GiB$/, '')} ${gib.toFixed(1)}`);
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

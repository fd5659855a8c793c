import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { summarizeGpus, type GpuDiscovery } from '../../../hardware/gpu-discovery.js';

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

/** gpu: what GPUs the box has, now. */
export function registerGpuTool(server: McpServer, discover: () => Promise<GpuDiscovery>): void {
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
        content: [
          {
            type: 'text',
            text:
              discovery.gpus.length === 0 ? `No GPU found. ${discovery.note ?? ''}`.trim() : summarizeGpus(discovery),
          },
        ],
        structuredContent: {
          gpus: discovery.gpus,
          source: discovery.source,
          ...(discovery.note === undefined ? {} : { note: discovery.note }),
        },
      };
    },
  );
}

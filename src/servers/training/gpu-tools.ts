import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GpuDiscovery } from '../../hardware/gpu-discovery.js';
import { registerEstimateMemoryTool } from './tools/estimate-memory.js';
import { registerGpuTool } from './tools/gpu.js';

export interface GpuToolsOptions {
  /** How GPUs are found: discovery through nvidia-smi, amd-smi or rocm-smi, or a stand-in in tests. */
  discover: () => Promise<GpuDiscovery>;
}

/** Registers `gpu` (what the box has, now) and `estimate_memory` (will these training settings fit?). */
export function registerGpuTools(server: McpServer, options: GpuToolsOptions): void {
  registerGpuTool(server, options.discover);
  registerEstimateMemoryTool(server, options.discover);
}

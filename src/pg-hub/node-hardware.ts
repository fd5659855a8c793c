import { arch, cpus, platform, totalmem } from 'node:os';

/**
 * What a claim says about the machine that measured it: the basics from node:os. The runtime adds its GPUs
 * (src/hardware/gpu-discovery.ts) under `gpus` when it has them. Informational: verifiers measure themselves.
 */
export function describeHardware(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const processors = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpus: processors.length,
    cpu_model: processors[0]?.model.trim() ?? 'unknown',
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...extra,
  };
}

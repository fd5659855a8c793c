import { AMD_SMI_METRIC_ARGS, AMD_SMI_STATIC_ARGS, parseAmdSmi } from './amd-smi-parser.js';
import { NVIDIA_SMI_QUERY, parseNvidiaSmi } from './nvidia-smi-parser.js';
import { parseRocmSmi, ROCM_SMI_ARGS } from './rocm-smi-parser.js';
import type { GpuToolResult, GpuToolRunner } from './gpu-tool-result.js';
import { firstLine } from './tool-output-values.js';

/** One GPU as a vendor tool reports it; a reading the tool could not give is undefined (never NaN or 0). */
export interface GpuInfo {
  index: number;
  vendor: 'nvidia' | 'amd';
  name: string;
  uuid?: string;
  memoryTotalMiB?: number;
  memoryUsedMiB?: number;
  /** total − used, when both are known. */
  memoryFreeMiB?: number;
  utilizationPercent?: number;
  temperatureC?: number;
  powerDrawW?: number;
  driver?: string;
}

export interface GpuDiscovery {
  gpus: GpuInfo[];
  /** Which tool answered, or none. */
  source: 'nvidia-smi' | 'amd-smi' | 'rocm-smi' | 'none';
  /** With no GPU: why each tool gave none. */
  note?: string;
}

export interface DiscoverGpusOptions {
  /** Runs a tool: `runGpuTool` of the supervisor, which starts every child process. */
  run: GpuToolRunner;
  /** The environment the tools run in and are looked up through (its PATH); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

/**
 * GPUs through nvidia-smi, then amd-smi, then rocm-smi: the first tool that lists at least one GPU wins. A tool
 * that is missing, fails (e.g. nvidia-smi without a working driver), times out or prints no GPU adds its reason
 * to the note of the "no GPU" answer. Never throws.
 */
export async function discoverGpus(timeoutMs: number, options: DiscoverGpusOptions): Promise<GpuDiscovery> {
  const env = options.env ?? process.env;
  const runGpuTool = options.run;
  const reasons: string[] = [];
  const attempt = (tool: string, result: GpuToolResult, gpus: (stdout: string) => GpuInfo[]): GpuInfo[] => {
    if (!result.ok) {
      reasons.push(`${tool}: ${result.error}`);
      return [];
    }
    const found = gpus(result.stdout);
    if (found.length === 0) reasons.push(`${tool}: no GPU in its output${describe(result.stdout)}`);
    return found;
  };

  const nvidia = attempt(
    'nvidia-smi',
    await runGpuTool(
      'nvidia-smi',
      [`--query-gpu=${NVIDIA_SMI_QUERY}`, '--format=csv,noheader,nounits'],
      timeoutMs,
      env,
    ),
    parseNvidiaSmi,
  );
  if (nvidia.length > 0) return { gpus: nvidia, source: 'nvidia-smi' };

  const amdStatic = await runGpuTool('amd-smi', AMD_SMI_STATIC_ARGS, timeoutMs, env);
  const amdMetric = amdStatic.ok ? await runGpuTool('amd-smi', AMD_SMI_METRIC_ARGS, timeoutMs, env) : undefined;
  const amd = attempt('amd-smi', amdStatic, (stdout) => parseAmdSmi(stdout, amdMetric?.ok ? amdMetric.stdout : ''));
  if (amd.length > 0) return { gpus: amd, source: 'amd-smi' };

  const rocm = attempt('rocm-smi', await runGpuTool('rocm-smi', ROCM_SMI_ARGS, timeoutMs, env), parseRocmSmi);
  if (rocm.length > 0) return { gpus: rocm, source: 'rocm-smi' };

  return { gpus: [], source: 'none', note: `no GPU found (${reasons.join('; ')})` };
}

/** One line per GPU, for the CLI and for agents: "GPU0 NVIDIA H100 80GB HBM3: 81559 MiB total, 1234 MiB used, …". */
export function summarizeGpus(discovery: GpuDiscovery): string {
  if (discovery.gpus.length === 0) return discovery.note ?? 'no GPU found';
  return discovery.gpus
    .map((gpu) => {
      const readings = [
        gpu.memoryTotalMiB !== undefined && `${gpu.memoryTotalMiB} MiB total`,
        gpu.memoryUsedMiB !== undefined && `${gpu.memoryUsedMiB} MiB used`,
        gpu.memoryFreeMiB !== undefined && `${gpu.memoryFreeMiB} MiB free`,
        gpu.utilizationPercent !== undefined && `${round(gpu.utilizationPercent)} %`,
        gpu.temperatureC !== undefined && `${round(gpu.temperatureC)} °C`,
        gpu.powerDrawW !== undefined && `${round(gpu.powerDrawW)} W`,
        gpu.driver !== undefined && `driver ${gpu.driver}`,
      ].filter((reading): reading is string => typeof reading === 'string');
      return `GPU${gpu.index} ${gpu.name}: ${readings.length > 0 ? readings.join(', ') : 'no readings'}`;
    })
    .join('\n');
}

function describe(stdout: string): string {
  const line = firstLine(stdout);
  return line === undefined ? ' (empty)' : `: ${line.length > 120 ? `${line.slice(0, 119)}…` : line}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

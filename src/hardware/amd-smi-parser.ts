import type { GpuInfo } from './gpu-discovery.js';
import { isRecord, numberValue, parseJsonOutput, textValue, withFreeMemory } from './tool-output-values.js';

/** The two calls whose JSON `parseAmdSmi` reads: names, VRAM size and driver; then usage, power, temperature, VRAM use. */
export const AMD_SMI_STATIC_ARGS = ['static', '--asic', '--vram', '--driver', '--json'];
export const AMD_SMI_METRIC_ARGS = ['metric', '--usage', '--power', '--temperature', '--mem-usage', '--json'];

/** amd-smi's memory units: its "MB" is MiB (an MI300X reports 196592 MB, i.e. 192 GiB). */
const MIB_PER_UNIT: Record<string, number> = {
  B: 1 / 1_048_576,
  KB: 1 / 1024,
  KIB: 1 / 1024,
  MB: 1,
  MIB: 1,
  GB: 1024,
  GIB: 1024,
};

/**
 * `amd-smi static --json` (required) and `amd-smi metric --json` (optional), joined on the `gpu` id. Both are
 * a list of per-GPU objects (ROCm 6.x) or `{ "gpu_data": [...] }` (newer releases); a reading is a bare value,
 * `{ "value": …, "unit": … }`, or "N/A". Anything else gives an empty list.
 */
export function parseAmdSmi(staticOutput: string, metricOutput = ''): GpuInfo[] {
  const metrics = new Map(gpuEntries(metricOutput).map((entry) => [entry.gpu, entry]));
  return gpuEntries(staticOutput)
    .map((entry): GpuInfo => {
      const metric: Record<string, unknown> = metrics.get(entry.gpu) ?? {};
      const asic = record(entry.asic);
      const usage = record(metric.usage);
      const power = record(metric.power);
      const temperature = record(metric.temperature);
      const memory = record(metric.mem_usage);
      const driver = record(entry.driver);
      return withFreeMemory({
        index: entry.gpu,
        vendor: 'amd',
        name: textValue(asic.market_name) ?? textValue(record(entry.board).product_name) ?? 'AMD GPU',
        memoryTotalMiB: mib(record(entry.vram).size) ?? mib(memory.total_vram),
        memoryUsedMiB: mib(memory.used_vram),
        utilizationPercent: reading(usage.gfx_activity),
        temperatureC: reading(temperature.edge) ?? reading(temperature.hotspot),
        powerDrawW:
          reading(power.socket_power) ?? reading(power.average_socket_power) ?? reading(power.current_socket_power),
        driver: textValue(driver.version) ?? textValue(driver.driver_version),
      });
    })
    .sort((a, b) => a.index - b.index);
}

type GpuEntry = Record<string, unknown> & { gpu: number };

function gpuEntries(output: string): GpuEntry[] {
  const data = parseJsonOutput(output);
  const list = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data.gpu_data) ? data.gpu_data : [];
  return list.filter((entry): entry is GpuEntry => isRecord(entry) && Number.isInteger(entry.gpu));
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function reading(value: unknown): number | undefined {
  return numberValue(isRecord(value) ? value.value : value);
}

function mib(value: unknown): number | undefined {
  const amount = reading(value);
  if (amount === undefined) return undefined;
  const unit = isRecord(value) && typeof value.unit === 'string' ? value.unit.trim().toUpperCase() : 'MB';
  const factor = MIB_PER_UNIT[unit];
  return factor === undefined ? undefined : Math.round(amount * factor);
}

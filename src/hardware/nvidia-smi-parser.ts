import type { GpuInfo } from './gpu-discovery.js';
import { numberValue, textValue, withFreeMemory } from './tool-output-values.js';

/** The `--query-gpu` fields, name last: a comma in a name cannot shift the other columns. */
export const NVIDIA_SMI_QUERY =
  'index,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,driver_version,name';
const COLUMNS = NVIDIA_SMI_QUERY.split(',').length;

/**
 * `nvidia-smi --query-gpu=<NVIDIA_SMI_QUERY> --format=csv,noheader,nounits`: one line per GPU. `[N/A]` and
 * `[Not Supported]` become undefined; lines that are not GPU rows (messages, garbage) are skipped.
 */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of output.split('\n')) {
    const raw = line.split(',');
    if (raw.length < COLUMNS) continue;
    const [index, uuid, total, used, utilization, temperature, power, driver] = raw.map((field) => field.trim());
    const name = textValue(raw.slice(COLUMNS - 1).join(','));
    if (!/^\d+$/.test(index ?? '') || !name) continue;
    gpus.push(
      withFreeMemory({
        index: Number(index),
        vendor: 'nvidia',
        name,
        uuid: textValue(uuid),
        memoryTotalMiB: numberValue(total),
        memoryUsedMiB: numberValue(used),
        utilizationPercent: numberValue(utilization),
        temperatureC: numberValue(temperature),
        powerDrawW: numberValue(power),
        driver: textValue(driver),
      }),
    );
  }
  return gpus;
}

import type { GpuInfo } from './gpu-discovery.js';
import { isRecord, numberValue, parseJsonOutput, textValue, withFreeMemory } from './tool-output-values.js';

/** The arguments whose JSON `parseRocmSmi` reads. */
export const ROCM_SMI_ARGS = [
  '--showproductname',
  '--showuse',
  '--showmeminfo',
  'vram',
  '--showtemp',
  '--showpower',
  '--showdriverversion',
  '--json',
];

const BYTES_PER_MIB = 1_048_576;

/**
 * `rocm-smi … --json`: one `cardN` object per GPU with string values (memory in bytes), and a `system` object
 * with the driver version. Key spellings differ between ROCm releases ("Card series" / "Card Series"), so keys
 * are matched case-insensitively; a name falls back from the series to the model (unless it is a bare PCI id)
 * to the SKU. Anything that is not such a document gives an empty list.
 */
export function parseRocmSmi(output: string): GpuInfo[] {
  const data = parseJsonOutput(output);
  if (!isRecord(data)) return [];
  const driver = isRecord(data.system) ? textValue(field(data.system, /^driver version$/i)) : undefined;
  return Object.entries(data)
    .filter((entry): entry is [string, Record<string, unknown>] => /^card\d+$/i.test(entry[0]) && isRecord(entry[1]))
    .map(([key, card]) => {
      const model = textValue(field(card, /^card model$/i));
      const name =
        textValue(field(card, /^card series$/i)) ??
        (model && !/^0x[0-9a-f]+$/i.test(model) ? model : undefined) ??
        textValue(field(card, /^card sku$/i)) ??
        'AMD GPU';
      return withFreeMemory({
        index: Number(key.slice(4)),
        vendor: 'amd',
        name,
        memoryTotalMiB: mib(field(card, /^vram total memory \(b\)$/i)),
        memoryUsedMiB: mib(field(card, /^vram total used memory \(b\)$/i)),
        utilizationPercent: numberValue(field(card, /^gpu use \(%\)$/i)),
        temperatureC:
          numberValue(field(card, /^temperature \(sensor edge\)/i)) ??
          numberValue(field(card, /^temperature \(sensor junction\)/i)),
        powerDrawW: numberValue(field(card, /^(average|current socket) graphics package power/i)),
        driver,
      });
    })
    .sort((a, b) => a.index - b.index);
}

function field(record: Record<string, unknown>, key: RegExp): unknown {
  return Object.entries(record).find(([name]) => key.test(name.trim()))?.[1];
}

function mib(bytes: unknown): number | undefined {
  const value = numberValue(bytes);
  return value === undefined ? undefined : Math.round(value / BYTES_PER_MIB);
}

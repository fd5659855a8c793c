import { execFile } from 'node:child_process';

export interface GpuInfo {
  index: number;
  vendor: 'nvidia' | 'amd';
  name: string;
  uuid?: string;
  memoryTotalMiB?: number;
  memoryUsedMiB?: number;
  utilizationPercent?: number;
  temperatureC?: number;
  powerDrawW?: number;
  driver?: string;
}

export interface GpuDiscovery {
  gpus: GpuInfo[];
  /** Which tool answered, or why none did. */
  source: 'nvidia-smi' | 'rocm-smi' | 'none';
  note?: string;
}

const NVIDIA_FIELDS = 'index,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,driver_version,name';

/** GPUs through nvidia-smi, then rocm-smi; "no GPU" (with the reason) when neither answers. */
export async function discoverGpus(timeoutMs = 5_000): Promise<GpuDiscovery> {
  const nvidia = await run('nvidia-smi', [`--query-gpu=${NVIDIA_FIELDS}`, '--format=csv,noheader,nounits'], timeoutMs);
  if (nvidia.ok) return { gpus: parseNvidiaSmi(nvidia.stdout), source: 'nvidia-smi' };
  const rocm = await run('rocm-smi', ['--showproductname', '--showuse', '--showmeminfo', 'vram', '--showtemp', '--showpower', '--json'], timeoutMs);
  if (rocm.ok) return { gpus: parseRocmSmi(rocm.stdout), source: 'rocm-smi' };
  return { gpus: [], source: 'none', note: `no GPU found (nvidia-smi: ${nvidia.error}; rocm-smi: ${rocm.error})` };
}

/** One CSV line per GPU; the name is last so commas in it cannot shift the other columns; `[N/A]` is tolerated. */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    const raw = line.split(',');
    if (raw.length < 9) continue;
    const [index, uuid, total, used, utilization, temperature, power, driver] = raw.map((field) => field.trim());
    gpus.push({
      index: number(index) ?? gpus.length,
      vendor: 'nvidia',
      name: raw.slice(8).join(',').trim(),
      uuid: text(uuid),
      memoryTotalMiB: number(total),
      memoryUsedMiB: number(used),
      utilizationPercent: number(utilization),
      temperatureC: number(temperature),
      powerDrawW: number(power),
      driver: text(driver),
    });
  }
  return gpus;
}

/** rocm-smi --json: one `cardN` object per GPU, values as strings, memory in bytes. */
export function parseRocmSmi(output: string): GpuInfo[] {
  let data: Record<string, Record<string, string>>;
  try {
    data = JSON.parse(output) as Record<string, Record<string, string>>;
  } catch {
    return [];
  }
  return Object.entries(data)
    .filter(([key]) => /^card\d+$/.test(key))
    .map(([key, card]) => {
      const find = (pattern: RegExp): string | undefined => Object.entries(card).find(([name]) => pattern.test(name))?.[1];
      const bytes = (value: string | undefined): number | undefined => (number(value) === undefined ? undefined : Math.round(number(value)! / 1_048_576));
      return {
        index: Number(key.slice(4)),
        vendor: 'amd' as const,
        name: find(/card series|product name|card model/i) ?? 'AMD GPU',
        memoryTotalMiB: bytes(find(/vram total memory/i)),
        memoryUsedMiB: bytes(find(/vram total used memory/i)),
        utilizationPercent: number(find(/gpu use/i)),
        temperatureC: number(find(/temperature.*(edge|junction)/i)),
        powerDrawW: number(find(/power/i)),
      };
    });
}

function number(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number.parseFloat(value.replace(/[^0-9.+-eE]/g, ''));
  return /N\/A|not supported/i.test(value) || Number.isNaN(parsed) ? undefined : parsed;
}

function text(value: string | undefined): string | undefined {
  return value && !/N\/A/i.test(value) ? value : undefined;
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const code = (error as NodeJS.ErrnoException).code;
      resolve({ ok: false, error: code === 'ENOENT' ? 'not installed' : (stderr.trim().split('\n')[0] ?? error.message) || error.message });
    });
  });
}

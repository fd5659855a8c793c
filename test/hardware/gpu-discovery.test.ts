import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { discoverGpus, summarizeGpus, type GpuDiscovery } from '../../src/hardware/gpu-discovery.js';
import { runGpuTool } from '../../src/supervisor/run-gpu-tool.js';
import { GPU_FIXTURES } from './gpu-fixtures.js';

type FakeTool = { prints: string; on?: 'stdout' | 'stderr'; exit?: number } | { sleeps: number };

const directories: string[] = [];
after(() => directories.forEach((directory) => rmSync(directory, { recursive: true, force: true })));

/**
 * A PATH holding only the given fake tools: shell scripts that print a fixture (chosen by their first
 * argument when it is a map, as amd-smi's `static` and `metric` are) and exit with a code, or hang.
 */
function fakePath(tools: Record<string, FakeTool | Record<string, FakeTool>>): NodeJS.ProcessEnv {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-gpu-'));
  directories.push(directory);
  const body = (tool: FakeTool): string =>
    'sleeps' in tool
      ? `exec /bin/sleep ${tool.sleeps}`
      : `/bin/cat '${join(GPU_FIXTURES, tool.prints)}'${tool.on === 'stderr' ? ' >&2' : ''}\nexit ${tool.exit ?? 0}`;
  for (const [name, tool] of Object.entries(tools)) {
    const script =
      'prints' in tool || 'sleeps' in tool
        ? body(tool as FakeTool)
        : `case "$1" in\n${Object.entries(tool as Record<string, FakeTool>)
            .map(([argument, fake]) => `${argument})\n${body(fake)}\n;;`)
            .join('\n')}\nesac\nexit 2`;
    writeFileSync(join(directory, name), `#!/bin/sh\n${script}\n`);
    chmodSync(join(directory, name), 0o755);
  }
  return { PATH: directory };
}

describe('discoverGpus with fake tools on PATH', () => {
  it('takes nvidia-smi first and lists every GPU it prints', async () => {
    const env = fakePath({
      'nvidia-smi': { prints: 'nvidia-smi-8x-a100.csv' },
      'rocm-smi': { prints: 'rocm-smi-mi300x.json' },
    });
    const discovery = await discoverGpus(5_000, { env, run: runGpuTool });
    assert.equal(discovery.source, 'nvidia-smi');
    assert.equal(discovery.gpus.length, 8);
    assert.equal(discovery.note, undefined);
  });

  it('moves on to amd-smi when nvidia-smi fails for want of a driver, joining static and metric', async () => {
    const env = fakePath({
      'nvidia-smi': { prints: 'nvidia-smi-driver-error.txt', on: 'stderr', exit: 9 },
      'amd-smi': { static: { prints: 'amd-smi-static.json' }, metric: { prints: 'amd-smi-metric.json' } },
    });
    const discovery = await discoverGpus(5_000, { env, run: runGpuTool });
    assert.equal(discovery.source, 'amd-smi');
    assert.deepEqual(
      discovery.gpus.map((gpu) => [gpu.name, gpu.memoryUsedMiB, gpu.powerDrawW]),
      [
        ['AMD Instinct MI300X', 150314, 684],
        ['AMD Instinct MI300X', 283, undefined],
      ],
    );
  });

  it('falls back to rocm-smi when amd-smi is missing', async () => {
    const env = fakePath({ 'rocm-smi': { prints: 'rocm-smi-mi300x-two-cards.json' } });
    const discovery = await discoverGpus(5_000, { env, run: runGpuTool });
    assert.equal(discovery.source, 'rocm-smi');
    assert.deepEqual(
      discovery.gpus.map((gpu) => gpu.index),
      [0, 1],
    );
  });

  it('says why each tool gave no GPU: the driver error line, "No devices", garbage, not installed', async () => {
    const env = fakePath({
      'nvidia-smi': { prints: 'nvidia-smi-driver-error.txt', exit: 9 },
      'amd-smi': { static: { prints: 'garbage.txt' } },
    });
    const discovery = await discoverGpus(5_000, { env, run: runGpuTool });
    assert.deepEqual(discovery.gpus, []);
    assert.equal(discovery.source, 'none');
    assert.equal(
      discovery.note,
      "no GPU found (nvidia-smi: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running. (exit 9); " +
        'amd-smi: no GPU in its output: Segmentation fault (core dumped); rocm-smi: not installed)',
    );

    const quiet = await discoverGpus(5_000, {
      env: fakePath({
        'nvidia-smi': { prints: 'nvidia-smi-no-devices.txt', exit: 6 },
        'rocm-smi': { prints: 'empty.txt' },
      }),
      run: runGpuTool,
    });
    assert.equal(
      quiet.note,
      'no GPU found (nvidia-smi: No devices were found (exit 6); amd-smi: not installed; rocm-smi: no GPU in its output (empty))',
    );
  });

  it('gives up on a tool that hangs after the timeout and goes on to the next', async () => {
    const env = fakePath({ 'nvidia-smi': { sleeps: 10 }, 'rocm-smi': { prints: 'rocm-smi-mi300x.json' } });
    const started = Date.now();
    const discovery = await discoverGpus(300, { env, run: runGpuTool });
    assert.ok(Date.now() - started < 5_000);
    assert.equal(discovery.source, 'rocm-smi');
  });

  it('reports a hung tool in the note', async () => {
    const discovery = await discoverGpus(300, { env: fakePath({ 'nvidia-smi': { sleeps: 10 } }), run: runGpuTool });
    assert.match(discovery.note ?? '', /nvidia-smi: no answer within 300 ms/);
  });
});

describe('summarizeGpus', () => {
  it('writes one line per GPU with the readings it has, leaving out the unknown ones', () => {
    const discovery: GpuDiscovery = {
      source: 'nvidia-smi',
      gpus: [
        {
          index: 0,
          vendor: 'nvidia',
          name: 'NVIDIA H100 80GB HBM3',
          memoryTotalMiB: 81559,
          memoryUsedMiB: 1234,
          memoryFreeMiB: 80325,
          utilizationPercent: 0,
          temperatureC: 34,
          powerDrawW: 71.23,
          driver: '550.54.15',
        },
        { index: 1, vendor: 'nvidia', name: 'NVIDIA GeForce GTX 1650', memoryTotalMiB: 4096, temperatureC: 45 },
        { index: 2, vendor: 'amd', name: 'AMD GPU' },
      ],
    };
    assert.equal(
      summarizeGpus(discovery),
      [
        'GPU0 NVIDIA H100 80GB HBM3: 81559 MiB total, 1234 MiB used, 80325 MiB free, 0 %, 34 °C, 71.2 W, driver 550.54.15',
        'GPU1 NVIDIA GeForce GTX 1650: 4096 MiB total, 45 °C',
        'GPU2 AMD GPU: no readings',
      ].join('\n'),
    );
  });

  it('gives the reason when there is no GPU', () => {
    assert.equal(
      summarizeGpus({ gpus: [], source: 'none', note: 'no GPU found (nvidia-smi: not installed)' }),
      'no GPU found (nvidia-smi: not installed)',
    );
  });
});

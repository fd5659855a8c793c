import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNvidiaSmi, parseRocmSmi } from '../../src/hardware/gpu-discovery.js';

describe('GPU discovery parsing', () => {
  it('reads nvidia-smi CSV lines, tolerating [N/A] fields and commas in the name', () => {
    const output = [
      '0, GPU-aaaa, 81559, 512, 0, 34, 61.20, 570.86.15, NVIDIA H100 80GB HBM3',
      '1, GPU-bbbb, 24564, [N/A], [N/A], 40, [N/A], 570.86.15, NVIDIA GeForce RTX 4090, Founders Edition',
      '',
    ].join('\n');
    assert.deepEqual(parseNvidiaSmi(output), [
      { index: 0, vendor: 'nvidia', name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-aaaa', memoryTotalMiB: 81559, memoryUsedMiB: 512, utilizationPercent: 0, temperatureC: 34, powerDrawW: 61.2, driver: '570.86.15' },
      { index: 1, vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4090, Founders Edition', uuid: 'GPU-bbbb', memoryTotalMiB: 24564, memoryUsedMiB: undefined, utilizationPercent: undefined, temperatureC: 40, powerDrawW: undefined, driver: '570.86.15' },
    ]);
  });

  it('reads rocm-smi JSON: one cardN per GPU, byte counts as strings', () => {
    const output = JSON.stringify({
      card0: {
        'Card Series': 'AMD Instinct MI300X',
        'GPU use (%)': '12',
        'VRAM Total Memory (B)': '206141652992',
        'VRAM Total Used Memory (B)': '1073741824',
        'Temperature (Sensor edge) (C)': '45.0',
        'Current Socket Graphics Package Power (W)': '140.0',
      },
      system: { 'Driver version': '6.8.5' },
    });
    assert.deepEqual(parseRocmSmi(output), [
      { index: 0, vendor: 'amd', name: 'AMD Instinct MI300X', memoryTotalMiB: 196592, memoryUsedMiB: 1024, utilizationPercent: 12, temperatureC: 45, powerDrawW: 140 },
    ]);
    assert.deepEqual(parseRocmSmi('not json'), []);
  });
});

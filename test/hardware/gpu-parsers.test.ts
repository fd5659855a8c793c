import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAmdSmi } from '../../src/hardware/amd-smi-parser.js';
import { parseNvidiaSmi } from '../../src/hardware/nvidia-smi-parser.js';
import { parseRocmSmi } from '../../src/hardware/rocm-smi-parser.js';
import { gpuFixture } from './gpu-fixtures.js';

describe('nvidia-smi CSV', () => {
  it('reads a single H100, with free memory worked out', () => {
    assert.deepEqual(parseNvidiaSmi(gpuFixture('nvidia-smi-h100.csv')), [
      {
        index: 0,
        vendor: 'nvidia',
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-5f0e2b0c-8b8e-1d9a-3c9f-2a8e6b1f4d21',
        memoryTotalMiB: 81559,
        memoryUsedMiB: 1234,
        memoryFreeMiB: 80325,
        utilizationPercent: 0,
        temperatureC: 34,
        powerDrawW: 71.23,
        driver: '550.54.15',
      },
    ]);
  });

  it('reads eight A100s in order, each with its own readings', () => {
    const gpus = parseNvidiaSmi(gpuFixture('nvidia-smi-8x-a100.csv'));
    assert.deepEqual(
      gpus.map((gpu) => gpu.index),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.ok(gpus.every((gpu) => gpu.name === 'NVIDIA A100-SXM4-80GB' && gpu.memoryTotalMiB === 81920));
    assert.deepEqual(
      gpus.map((gpu) => gpu.memoryFreeMiB),
      [7707, 7707, 7731, 7731, 81916, 81916, 81916, 63483],
    );
    assert.equal(gpus[7]?.powerDrawW, 212.66);
  });

  it('keeps a comma inside the name (the last column) without shifting the others', () => {
    const [gpu] = parseNvidiaSmi(gpuFixture('nvidia-smi-comma-name.csv'));
    assert.equal(gpu?.name, 'NVIDIA GeForce RTX 4090, Founders Edition');
    assert.equal(gpu?.driver, '560.35.03');
    assert.equal(gpu?.memoryTotalMiB, 24564);
  });

  it('turns [N/A] and [Not Supported] into undefined, never NaN or 0, and leaves free memory out when "used" is unknown', () => {
    assert.deepEqual(parseNvidiaSmi(gpuFixture('nvidia-smi-not-available.csv')), [
      {
        index: 0,
        vendor: 'nvidia',
        name: 'Tesla T4',
        uuid: 'GPU-3b9a6c1e-2d47-8f05-a1c6-7e2b9d4f0a13',
        memoryTotalMiB: 15360,
        memoryUsedMiB: 0,
        memoryFreeMiB: 15360,
        utilizationPercent: 0,
        temperatureC: undefined,
        powerDrawW: undefined,
        driver: '535.183.01',
      },
      {
        index: 1,
        vendor: 'nvidia',
        name: 'NVIDIA GeForce GTX 1650',
        uuid: 'GPU-d15e8a3f-0c72-4b96-9e1d-2f7a6c0b5e24',
        memoryTotalMiB: 4096,
        memoryUsedMiB: undefined,
        utilizationPercent: undefined,
        temperatureC: 45,
        powerDrawW: undefined,
        driver: '470.239.06',
      },
    ]);
  });

  it('finds no GPU in a driver error, a "No devices" message, garbage or nothing', () => {
    for (const fixture of ['nvidia-smi-driver-error.txt', 'nvidia-smi-no-devices.txt', 'garbage.txt', 'empty.txt']) {
      assert.deepEqual(parseNvidiaSmi(gpuFixture(fixture)), [], fixture);
    }
  });
});

describe('rocm-smi JSON', () => {
  it('reads one MI300X: series name, bytes to MiB, junction temperature when the edge sensor is N/A, socket power, the system driver', () => {
    assert.deepEqual(parseRocmSmi(gpuFixture('rocm-smi-mi300x.json')), [
      {
        index: 0,
        vendor: 'amd',
        name: 'AMD Instinct MI300X OAM',
        memoryTotalMiB: 196592,
        memoryUsedMiB: 285,
        memoryFreeMiB: 196307,
        utilizationPercent: 0,
        temperatureC: 41,
        powerDrawW: 139,
        driver: '6.8.5',
      },
    ]);
  });

  it('reads two cards with the older key spellings after a warning line, falling back to the SKU when the series is N/A', () => {
    assert.deepEqual(parseRocmSmi(gpuFixture('rocm-smi-mi300x-two-cards.json')), [
      {
        index: 0,
        vendor: 'amd',
        name: 'AMD Instinct MI300X',
        memoryTotalMiB: 196592,
        memoryUsedMiB: 163840,
        memoryFreeMiB: 32752,
        utilizationPercent: 87,
        temperatureC: 52,
        powerDrawW: 612,
        driver: '6.3.6',
      },
      {
        index: 1,
        vendor: 'amd',
        name: 'M3000100',
        memoryTotalMiB: 196592,
        memoryUsedMiB: undefined,
        utilizationPercent: undefined,
        temperatureC: undefined,
        powerDrawW: undefined,
        driver: '6.3.6',
      },
    ]);
  });

  it('finds no GPU in garbage, nothing, or JSON without cardN objects', () => {
    for (const output of [
      gpuFixture('garbage.txt'),
      gpuFixture('empty.txt'),
      '[1, 2]',
      '{"system": {"Driver version": "6.8.5"}}',
      'null',
    ]) {
      assert.deepEqual(parseRocmSmi(output), [], output);
    }
  });
});

describe('amd-smi JSON', () => {
  it('joins static (name, VRAM size, driver) and metric (usage, power, temperature, VRAM used) on the gpu id', () => {
    assert.deepEqual(parseAmdSmi(gpuFixture('amd-smi-static.json'), gpuFixture('amd-smi-metric.json')), [
      {
        index: 0,
        vendor: 'amd',
        name: 'AMD Instinct MI300X',
        memoryTotalMiB: 196592,
        memoryUsedMiB: 150314,
        memoryFreeMiB: 46278,
        utilizationPercent: 93,
        temperatureC: 71,
        powerDrawW: 684,
        driver: '6.10.5',
      },
      {
        index: 1,
        vendor: 'amd',
        name: 'AMD Instinct MI300X',
        memoryTotalMiB: 196592,
        memoryUsedMiB: 283,
        memoryFreeMiB: 196309,
        utilizationPercent: 0,
        temperatureC: 38,
        powerDrawW: undefined,
        driver: '6.10.5',
      },
    ]);
  });

  it('reads the newer {"gpu_data": [...]} shape, naming the GPU from the board when the market name is N/A', () => {
    const [gpu] = parseAmdSmi(gpuFixture('amd-smi-static-gpu-data.json'), gpuFixture('amd-smi-metric-gpu-data.json'));
    assert.equal(gpu?.name, 'AMD Radeon AI PRO R9700');
    assert.equal(gpu?.memoryFreeMiB, 30474);
    assert.equal(gpu?.temperatureC, 44);
    assert.equal(gpu?.powerDrawW, 38);
  });

  it('still lists the GPUs from static when metric gave nothing usable', () => {
    const gpus = parseAmdSmi(gpuFixture('amd-smi-static.json'), gpuFixture('garbage.txt'));
    assert.equal(gpus.length, 2);
    assert.equal(gpus[0]?.memoryTotalMiB, 196592);
    assert.equal(gpus[0]?.memoryUsedMiB, undefined);
    assert.equal(gpus[0]?.memoryFreeMiB, undefined);
  });

  it('finds no GPU in garbage, nothing, or a list without gpu ids', () => {
    for (const output of [
      gpuFixture('garbage.txt'),
      gpuFixture('empty.txt'),
      '[{"asic": {"market_name": "x"}}]',
      '{"gpu_data": "N/A"}',
    ]) {
      assert.deepEqual(parseAmdSmi(output, output), [], output);
    }
  });
});

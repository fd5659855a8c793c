import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChildEnvironment } from '../../src/supervisor/child-environment.js';

const source = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/agent',
  LANG: 'C.UTF-8',
  OPENROUTER_API_KEY: 'sk-secret',
  CUDA_VISIBLE_DEVICES: '0',
  HF_HOME: '/data/hf',
  BASH_FUNC_x: '() { echo hi; }',
};

describe('buildChildEnvironment', () => {
  it('keeps only the minimal set (the GPUs a job may use among it), so secrets in our environment do not reach children', () => {
    assert.deepEqual(buildChildEnvironment({ source }), {
      PATH: '/usr/bin:/bin',
      HOME: '/home/agent',
      LANG: 'C.UTF-8',
      CUDA_VISIBLE_DEVICES: '0',
    });
  });

  it('adds passEnv names that are set, and explicit values that win over inherited ones', () => {
    const environment = buildChildEnvironment({
      source,
      passEnv: ['HF_HOME', 'NOT_SET_ANYWHERE', 'BASH_FUNC_x'],
      set: { HOME: '/srv/server', API_TOKEN: 'given' },
    });
    assert.deepEqual(environment, {
      PATH: '/usr/bin:/bin',
      HOME: '/srv/server',
      LANG: 'C.UTF-8',
      CUDA_VISIBLE_DEVICES: '0',
      HF_HOME: '/data/hf',
      API_TOKEN: 'given',
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resumeArguments, resumeCommand } from '../../src/cli/resume-hint.js';

describe('the resume hint', () => {
  it('leaves out the default project files and the output format', () => {
    assert.deepEqual(resumeArguments({ config: 'config.json', swarm: 'swarm.json', outputFormat: 'text' }), []);
    assert.equal(resumeCommand('20261122-153012-a1b2', []), 'mux-swarm resume 20261122-153012-a1b2');
  });

  it('carries every project option and override resume accepts, quoted for a shell where needed', () => {
    const args = resumeArguments({
      config: 'infra/config.json',
      swarm: 'team swarm.json',
      workdir: "/data/it's here",
      outputFormat: 'stream-json',
      agents: ['code', 'research'],
      flat: true,
      provider: 'local',
      model: 'qwen3:8b',
      maxTurns: 40,
      maxBudgetUsd: 2.5,
      maxTokens: 100_000,
      timeout: '2h',
      output: 'result.md',
      verbose: true,
    });
    assert.equal(
      resumeCommand('r1', args),
      `mux-swarm resume r1 --config infra/config.json --swarm 'team swarm.json' --workdir '/data/it'\\''s here' --agents code,research --flat --provider local --model qwen3:8b --max-turns 40 --max-budget-usd 2.5 --max-tokens 100000 --timeout 2h --output result.md --verbose`,
    );
  });
});

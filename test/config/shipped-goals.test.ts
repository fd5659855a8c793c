import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadGoalFile, type Goal } from '../../src/config/load-goal.js';
import { evaluateGoalPhases } from '../../src/runtime/phases/evaluate-phase-conditions.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function shippedGoalFiles(): string[] {
  return readdirSync(join(repositoryRoot, 'goals'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('goals', name));
}

let emptyWorkdir: string;

before(() => {
  emptyWorkdir = mkdtempSync(join(tmpdir(), 'mux-swarm-shipped-goal-'));
});

after(() => {
  rmSync(emptyWorkdir, { recursive: true, force: true });
});

describe('the goals shipped in goals/', () => {
  it('each loads, with its front matter and phases parsed', () => {
    const files = shippedGoalFiles();
    assert.ok(
      files.includes(join('goals', 'example.md')) && files.includes(join('goals', 'gpu-specialist.md')),
      files.join(', '),
    );
    for (const file of files) {
      const goal = loadGoalFile(file, repositoryRoot);
      assert.ok(goal.name.length > 0, `${file} has no name`);
      assert.ok(goal.phases.length > 0, `${file} has no phase`);
      goal.phases.forEach((phase, index) => assert.equal(phase.number, index + 1, `${file}: phases numbered in order`));
    }
  });

  describe('gpu-specialist', () => {
    let goal: Goal;
    before(() => {
      goal = loadGoalFile(join('goals', 'gpu-specialist.md'), repositoryRoot);
    });

    it('has at least five phases, each with a condition mux-swarm can check, and a budget', () => {
      assert.ok(goal.phases.length >= 5, `${goal.phases.length} phases`);
      for (const phase of goal.phases) {
        assert.ok(phase.line !== undefined, `phase ${phase.number} comes from a "## Phase N:" heading`);
        assert.ok(phase.conditions.length >= 1, `phase ${phase.number} (${phase.title}) has no "Done when" condition`);
      }
      assert.ok(
        goal.frontMatter.budget?.usd !== undefined && goal.frontMatter.budget.time !== undefined,
        'a budget in dollars and time',
      );
    });

    it('checks the artefacts of the pipeline: dataset size, adapter, judged prompts, report', () => {
      const conditions = goal.phases.flatMap((phase) => phase.conditions);
      const train = conditions.find(
        (condition) => condition.kind === 'record-count' && condition.path === 'data/train.jsonl',
      );
      assert.ok(
        train?.kind === 'record-count' && train.comparison === 'at-least' && train.count >= 1000,
        'data/train.jsonl has at least 1000 records',
      );
      assert.ok(
        conditions.some((condition) => condition.kind === 'command' && condition.command.includes('--dry-run')),
        'a dry run of the training command',
      );
      assert.ok(
        conditions.some(
          (condition) => condition.kind === 'exists' && condition.path === 'runs/qlora-1/final/adapter_config.json',
        ),
        'the adapter of run 1',
      );
      const prompts = conditions.find(
        (condition) =>
          condition.kind === 'json-field' &&
          condition.path === 'evaluation/evaluation.json' &&
          condition.field === 'aggregate.prompts',
      );
      assert.ok(
        prompts?.kind === 'json-field' &&
          prompts.operator === '>=' &&
          typeof prompts.value === 'number' &&
          prompts.value >= 10,
        'at least 10 judged prompts',
      );
      assert.ok(
        conditions.some((condition) => condition.kind === 'non-empty' && condition.path === 'report/final-report.md'),
        'the final report',
      );
    });

    it('is not done in an empty workdir, and names the first unmet condition', async () => {
      const evaluation = await evaluateGoalPhases(goal.phases, { workdir: emptyWorkdir });
      assert.equal(evaluation.allDone, false);
      for (const phase of evaluation.phases)
        assert.equal(phase.state, 'not-done', `phase ${phase.phase.number}: ${phase.state}`);
      const first = evaluation.phases[0]?.firstUnmet;
      assert.ok(first, 'phase 1 names its first unmet condition');
      assert.equal(first.condition, goal.phases[0]?.conditions[0]);
      assert.equal(first.met, false);
      assert.equal(first.detail, 'does not exist');
    });
  });
});

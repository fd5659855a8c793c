import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageTracker } from '../../src/runtime/usage-tracker.js';
import { agentDefinition, completeTurn, harnessPerTest } from '../support/runtime-harness.js';

const listing = { toolCalls: [{ name: 'fs__list_allowed_directories', arguments: {} }] };
const complete = (summary: string) => completeTurn('success', summary);

describe('run limits', () => {
  const createHarness = harnessPerTest();

  it('stops cleanly with error_max_budget_usd (exit 3) once the reported cost reaches the budget, warning first', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      limits: { maxBudgetUsd: 1 },
      script: {
        orchestrator: [
          { ...listing, costUsd: 0.45 },
          { ...listing, costUsd: 0.4 },
          { ...listing, costUsd: 0.3 },
          complete('never reached'),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_max_budget_usd');
    assert.equal(result.exit_code, 3);
    assert.equal(result.is_error, true);
    assert.equal(result.num_turns, 3);
    assert.ok(Math.abs(result.total_cost_usd - 1.15) < 1e-9);
    assert.match(result.result, /^Stopped: the run reached its USD budget \(\$1\.1500 of \$1\)\.$/);
    const warning = harness.events.find((event) => event.type === 'budget-warning');
    assert.ok(warning?.type === 'budget-warning' && warning.budget === 'usd' && warning.limit === 1);
    assert.ok(harness.events.indexOf(warning) < harness.events.length - 1);
    assert.equal(harness.models.get('orchestrator')!.remaining, 1, 'no model call after the budget was spent');
    const run = harness.store.database.prepare(`SELECT status, subtype, exit_code FROM runs`).get();
    assert.deepEqual(run, { status: 'stopped', subtype: 'error_max_budget_usd', exit_code: 3 });
  });

  it('stops under a USD budget (error_max_budget_usd) at a call whose cost is unknown: the budget cannot be enforced on it', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      limits: { maxBudgetUsd: 5 },
      script: { orchestrator: [{ ...listing, costUsd: 0.01 }, listing, complete('never reached')] },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_max_budget_usd');
    assert.equal(result.exit_code, 3);
    assert.equal(result.num_turns, 2);
    assert.match(
      result.result,
      /^Stopped: the cost of a call to scripted\/orchestrator-model is unknown \(.*\), so the USD budget of \$5 cannot be enforced; give the model a price \("prices" in config\.json, "free": true on a local provider, or a "catalogue" provider id/,
    );
    assert.deepEqual(result.cost_unknown_models, ['scripted/orchestrator-model']);
    assert.equal(harness.models.get('orchestrator')!.remaining, 1, 'no model call after the stop');
  });

  it('without a USD budget, reports models of unknown cost in the result, a free one not, and counts them again from the journal', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [listing, { ...listing, costUsd: 0, costSource: 'free' }, { ...complete('done'), costUsd: 0.02 }],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    assert.deepEqual(result.cost_unknown_models, ['scripted/orchestrator-model']);
    assert.ok(Math.abs(result.total_cost_usd - 0.02) < 1e-12);
    const restored = new UsageTracker();
    restored.restore(harness.store.journal.completedModelCalls('test-run'));
    assert.deepEqual(restored.costUnknownModels(), ['scripted/orchestrator-model'], 'a resumed run still knows');

    const free = await createHarness({
      script: { orchestrator: [{ ...complete('done'), costUsd: 0, costSource: 'free' }] },
      limits: { maxBudgetUsd: 0.0001 },
    });
    const freeResult = await free.drive();
    assert.equal(freeResult.subtype, 'success');
    assert.equal(freeResult.cost_unknown_models, undefined);
  });

  it('stops with error_max_tokens once input + output tokens reach the limit', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      limits: { maxTokens: 500 },
      script: {
        orchestrator: [
          { ...listing, inputTokens: 200, outputTokens: 100 },
          { ...listing, inputTokens: 200, outputTokens: 100 },
          complete('never'),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_max_tokens');
    assert.equal(result.usage.input_tokens + result.usage.output_tokens, 600);
  });

  it('counts turns across every agent and stops the run at maxTurns with error_max_turns', async () => {
    const harness = await createHarness({
      agents: [agentDefinition('worker', { mcpServers: ['fs'] })],
      limits: { maxTurns: 3 },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'delegate', arguments: { agent: 'worker', task: 'busy work' } }] },
          complete('never'),
        ],
        worker: [listing, listing, listing, complete('never')],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_max_turns');
    assert.equal(result.exit_code, 3);
    assert.equal(result.num_turns, 3);
    assert.deepEqual(
      Object.fromEntries(Object.entries(result.usage_by_agent).map(([agent, usage]) => [agent, usage.calls])),
      { orchestrator: 1, worker: 2 },
    );
  });

  it('stops at the wall-clock limit, cancelling the model call in flight', async () => {
    const harness = await createHarness({
      limits: { timeout: 200 },
      script: { orchestrator: [{ delayMs: 10_000, ...complete('too late') }] },
    });
    const started = Date.now();
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_timeout');
    assert.equal(result.exit_code, 3);
    assert.ok(Date.now() - started < 3_000, 'the slow call was cancelled, not awaited');
    assert.equal(harness.models.get('orchestrator')!.requests[0]!.signal?.aborted, true);
    const warning = harness.events.find((event) => event.type === 'budget-warning');
    assert.ok(
      warning?.type === 'budget-warning' && warning.budget === 'time' && warning.limit === 200 && warning.used >= 160,
    );
  });

  it('reports an interruption as error_interrupted with exit code 130', async () => {
    const harness = await createHarness({ script: { orchestrator: [{ delayMs: 10_000, ...complete('too late') }] } });
    const running = harness.drive();
    setTimeout(() => harness.run.stop('interrupted', 'SIGINT'), 100);
    const result = await running;
    assert.equal(result.subtype, 'error_interrupted');
    assert.equal(result.exit_code, 130);
    const delegation = harness.store.database.prepare(`SELECT status, stop_reason FROM delegations`).get();
    assert.deepEqual(
      delegation,
      { status: null, stop_reason: null },
      'left unfinished in the journal, so a resume continues it',
    );
    const ended = harness.events.find((event) => event.type === 'delegation-end') as { status: string } | undefined;
    assert.equal(ended?.status, 'partial', 'the event stream still says how it ended');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentDefinition, completeTurn as complete, harnessPerTest } from '../support/runtime-harness.js';

describe('flat mode', () => {
  const createHarness = harnessPerTest();

  it('has the specialists work the goal in order, each told what the previous ones produced', async () => {
    const harness = await createHarness({
      mode: 'flat',
      agents: [agentDefinition('research', { mcpServers: ['fs'] }), agentDefinition('code', { mcpServers: ['fs'] })],
      flatOrder: ['research', 'code'],
      script: {
        research: [
          { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'notes.md', content: '# notes' } }] },
          complete('success', 'notes written', ['notes.md']),
        ],
        code: [complete('success', 'built from the notes', ['notes.md'])],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    assert.equal(result.result, 'research (success): notes written\n\ncode (success): built from the notes');
    assert.deepEqual(result.artifacts, ['notes.md']);
    const codeTask = String(harness.models.get('code')!.requests[0]!.messages[1]!.content);
    assert.match(codeTask, /You are step 2 of 2 \(code\)/);
    assert.match(codeTask, /### research: success\nnotes written\nFiles: notes\.md/);
    assert.equal(harness.models.get('orchestrator')!.requests.length, 0, 'no orchestrator in flat mode');
    const init = harness.events[0]!;
    assert.ok(init.type === 'system' && init.subtype === 'init');
    assert.deepEqual(
      init.agents.map((agent) => agent.name),
      ['research', 'code'],
    );
  });

  it('stops the sequence at the first failure and reports the goal failed', async () => {
    const harness = await createHarness({
      mode: 'flat',
      agents: [agentDefinition('first'), agentDefinition('second')],
      script: { first: [complete('failure', 'could not start')], second: [complete('success', 'never runs')] },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_goal_failed');
    assert.equal(result.exit_code, 1);
    assert.equal(harness.models.get('second')!.requests.length, 0);
  });
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { ProviderRequestError } from '../../src/errors/provider-request-error.js';
import { ProviderUnreachableError } from '../../src/errors/provider-unreachable-error.js';
import { agentDefinition, completeTurn as complete, harnessPerTest, toolMessages } from '../support/runtime-harness.js';

const delegate = (agent: string, task: string) => ({ name: 'delegate', arguments: { agent, task } });
const refused = () =>
  new ProviderRequestError({
    provider: 'fake',
    baseURL: 'http://127.0.0.1:9/v1',
    model: 'code-model',
    status: 400,
    endpointMessage: 'tools are not supported by this model',
    attempts: 1,
  });
const unreachable = () =>
  new ProviderUnreachableError({
    provider: 'fake',
    baseURL: 'http://127.0.0.1:9/v1',
    detail: 'ECONNREFUSED',
    attempts: 3,
    reason: 'refused',
  });

describe('delegation', () => {
  const createHarness = harnessPerTest();

  it('refuses a target outside canDelegateTo and lists the valid ones', async () => {
    const harness = await createHarness({
      agents: [agentDefinition('code'), agentDefinition('research')],
      orchestrator: { canDelegateTo: ['code'] },
      script: {
        orchestrator: [{ toolCalls: [delegate('research', 'look it up')] }, complete('failure', 'no research allowed')],
      },
    });
    await harness.drive();
    const orchestrator = harness.models.get('orchestrator')!;
    assert.equal(toolMessages(orchestrator, 1)[0], 'orchestrator cannot delegate to "research"; valid agents: code');
    const delegateTool = orchestrator.requests[0]!.tools.find((tool) => tool.name === 'delegate')!;
    assert.deepEqual((delegateTool.parameters.properties as { agent: { enum: string[] } }).agent.enum, ['code']);
    assert.match(delegateTool.description, /- code: the code agent/);
    assert.equal(harness.models.get('research')!.requests.length, 0);
  });

  it('nests delegations (orchestrator → code → memory), recording parents and depth, and hands results back up', async () => {
    const harness = await createHarness({
      agents: [agentDefinition('code', { canDelegateTo: ['memory'] }), agentDefinition('memory')],
      script: {
        orchestrator: [{ toolCalls: [delegate('code', 'fix the bug')] }, complete('success', 'fixed')],
        code: [
          { toolCalls: [delegate('memory', 'seen TypeError before?')] },
          complete('success', 'applied the known fix'),
        ],
        memory: [complete('success', 'yes: rename max_seq_length to max_length')],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const rows = harness.store.database
      .prepare(`SELECT id, parent_id, agent, from_agent, depth, status FROM delegations ORDER BY id`)
      .all();
    assert.deepEqual(rows, [
      { id: 'd1', parent_id: null, agent: 'orchestrator', from_agent: 'mux-swarm', depth: 0, status: 'success' },
      { id: 'd1.1.0', parent_id: 'd1', agent: 'code', from_agent: 'orchestrator', depth: 1, status: 'success' },
      { id: 'd1.1.0.1.0', parent_id: 'd1.1.0', agent: 'memory', from_agent: 'code', depth: 2, status: 'success' },
    ]);
    assert.match(
      toolMessages(harness.models.get('code')!, 1)[0]!,
      /^memory finished with status success after 1 turn .*\nSummary: yes: rename max_seq_length to max_length\nArtifacts: none$/,
    );
    assert.equal(
      getEventListeners(harness.run.signal, 'abort').length,
      0,
      'no call left a listener on the run-wide signal',
    );
  });

  it('withholds the delegate tool beyond the maximum delegation depth', async () => {
    const harness = await createHarness({
      agents: [agentDefinition('code', { canDelegateTo: ['memory'] }), agentDefinition('memory')],
      limits: { maxDelegationDepth: 1 },
      script: {
        orchestrator: [{ toolCalls: [delegate('code', 'work')] }, complete('success', 'ok')],
        code: [complete('success', 'done alone')],
      },
    });
    await harness.drive();
    const codeTools = harness.models.get('code')!.requests[0]!.tools.map((tool) => tool.name);
    assert.ok(!codeTools.includes('delegate'), `code got: ${codeTools.join(', ')}`);
    assert.ok(harness.models.get('orchestrator')!.requests[0]!.tools.some((tool) => tool.name === 'delegate'));
  });

  it('turns a specialist whose model refuses the request into a failed delegation the orchestrator can act on', async () => {
    const harness = await createHarness({
      agents: [agentDefinition('code'), agentDefinition('research')],
      script: {
        orchestrator: [
          { toolCalls: [delegate('code', 'build')] },
          { toolCalls: [delegate('research', 'build instead')] },
          complete('success', 'research built it'),
        ],
        code: [{ error: refused() }],
        research: [complete('success', 'built')],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const failure = toolMessages(harness.models.get('orchestrator')!, 1)[0]!;
    assert.match(
      failure,
      /^code finished with status failure after 0 turns \(error, .*\nSummary: code could not work: Provider "fake" .* answered 400/,
    );
    const errorBlock = harness.events
      .flatMap((event) => (event.type === 'user' ? event.message.content : []))
      .find((block) => block.name === 'delegate');
    assert.equal(errorBlock?.is_error, true);
  });

  it("stops the whole run resumably when a specialist's provider is down: no delegation records a failure a resume would replay", async () => {
    const harness = await createHarness({
      agents: [agentDefinition('code')],
      script: { orchestrator: [{ toolCalls: [delegate('code', 'build')] }], code: [{ error: unreachable() }] },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_provider_outage');
    assert.equal(result.exit_code, 75);
    assert.match(
      result.result,
      /^Stopped: a model provider failed after its retries \(code\): Cannot reach provider "fake"/,
    );
    assert.match(result.result, /mux-swarm resume /);
    assert.equal(
      harness.models.get('orchestrator')!.requests.length,
      1,
      'the orchestrator was not asked to act on the outage',
    );
    assert.deepEqual(harness.store.database.prepare('SELECT agent, status FROM delegations ORDER BY agent').all(), [
      { agent: 'code', status: null },
      { agent: 'orchestrator', status: null },
    ]);
    assert.deepEqual(harness.store.database.prepare('SELECT status, subtype FROM runs').get(), {
      status: 'interrupted',
      subtype: 'error_provider_outage',
    });
  });

  it('ends the run resumably (error_provider_outage) when the orchestrator itself cannot reach its model', async () => {
    const harness = await createHarness({ script: { orchestrator: [{ error: unreachable() }] } });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_provider_outage');
    assert.equal(result.exit_code, 75);
    const run = harness.store.database.prepare(`SELECT status, subtype FROM runs`).get();
    assert.deepEqual(run, { status: 'interrupted', subtype: 'error_provider_outage' });
  });

  it('runs several delegations of one turn in parallel, bounded by maxConcurrentDelegations', async () => {
    const agents = ['a', 'b', 'c'].map((name) => agentDefinition(name));
    const slow = (summary: string) => [{ delayMs: 300, ...complete('success', summary) }];
    const harness = await createHarness({
      agents,
      limits: { maxConcurrentDelegations: 2 },
      script: {
        orchestrator: [
          { toolCalls: [delegate('a', '1'), delegate('b', '2'), delegate('c', '3')] },
          complete('success', 'all done'),
        ],
        a: slow('a'),
        b: slow('b'),
        c: slow('c'),
      },
    });
    const started = Date.now();
    await harness.drive();
    const elapsed = Date.now() - started;
    const order = harness.events
      .filter((event) => event.type === 'delegation-start' || event.type === 'delegation-end')
      .filter((event) => event.agent !== 'orchestrator')
      .map((event) => `${event.type === 'delegation-start' ? '+' : '-'}${event.agent}`);
    // a and b start together; c waits for a free slot.
    assert.deepEqual(order.slice(0, 2).sort(), ['+a', '+b']);
    assert.ok(order.indexOf('+c') > Math.min(order.indexOf('-a'), order.indexOf('-b')));
    assert.ok(elapsed >= 600 && elapsed < 1500, `two waves of 300 ms, took ${elapsed} ms`);
  });
});

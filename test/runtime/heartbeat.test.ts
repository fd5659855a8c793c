import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { runEventSchema, type HeartbeatEvent, type RunEvent } from '../../src/events/event-schema.js';
import { agentDefinition, completeTurn as complete, harnessPerTest } from '../support/runtime-harness.js';

const heartbeats = (events: RunEvent[]): HeartbeatEvent[] =>
  events.filter((event): event is HeartbeatEvent => event.type === 'heartbeat');
const indexOf = (events: RunEvent[], predicate: (event: RunEvent) => boolean): number => events.findIndex(predicate);

describe('heartbeat events', () => {
  const createHarness = harnessPerTest();

  it('name the model call in flight while an agent waits for its reply, and stop with the run', async () => {
    const harness = await createHarness({
      pulseIntervalMs: 50,
      script: { orchestrator: [{ delayMs: 1_000, content: 'thinking hard' }, complete('success', 'done')] },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const beats = heartbeats(harness.events);
    assert.ok(beats.length > 0, 'at least one heartbeat while the slow reply was awaited');
    for (const beat of beats) {
      runEventSchema.parse(beat);
      assert.equal(beat.agent, 'mux-swarm');
      assert.deepEqual(
        beat.in_flight.map(({ elapsed_ms: _elapsed, ...call }) => call),
        [{ agent: 'orchestrator', delegation_id: 'd1', kind: 'model', model: 'scripted/orchestrator-model' }],
      );
    }
    // Every one came while the call was in flight: after the delegation began, before the reply.
    const start = indexOf(harness.events, (event) => event.type === 'delegation-start');
    const reply = indexOf(harness.events, (event) => event.type === 'assistant');
    for (const beat of beats) {
      const at = harness.events.indexOf(beat);
      assert.ok(at > start && at < reply, `heartbeat ${beat.seq} between the call's start and its reply`);
    }
    const stored = harness.store.database
      .prepare(`SELECT count(*) AS count FROM events WHERE type = 'heartbeat'`)
      .get() as { count: number };
    assert.equal(stored.count, beats.length, 'stored with the other events');
    const emitted = harness.events.length;
    await delay(300);
    assert.equal(harness.events.length, emitted, 'nothing is emitted after the run ended');
  });

  it("show a slow tool call as a tool, a delegation as the delegate's own calls, and never the delegate tool", async () => {
    const harness = await createHarness({
      pulseIntervalMs: 50,
      agents: [agentDefinition('code', { mcpServers: ['shell'] })],
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'delegate', arguments: { agent: 'code', task: 'wait a little' } }] },
          complete('success', 'delegated'),
        ],
        code: [
          { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'sleep 1' } }] },
          { delayMs: 800, ...complete('success', 'waited') },
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success', result.result);
    const calls = heartbeats(harness.events).flatMap((beat) => beat.in_flight);
    assert.ok(
      calls.some(
        (call) =>
          call.kind === 'tool' &&
          call.tool === 'shell__run_command' &&
          call.agent === 'code' &&
          call.delegation_id === 'd1.1.0',
      ),
      `the shell command is named: ${JSON.stringify(calls)}`,
    );
    assert.ok(
      calls.some((call) => call.kind === 'model' && call.agent === 'code' && call.model === 'scripted/code-model'),
      "the delegate's slow model call is named",
    );
    assert.ok(!calls.some((call) => call.tool === 'delegate'), 'a delegation is not a wait of its own');
  });
});

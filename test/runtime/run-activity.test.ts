import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunActivity } from '../../src/runtime/run-activity.js';

describe('the run activity registry', () => {
  it('lists the calls in flight longest-waiting first, with their elapsed time, until each ends', () => {
    let now = 1_000;
    const activity = new RunActivity(() => now);
    const model = activity.begin({
      kind: 'model',
      agent: 'code',
      delegationId: 'd1.1.0',
      model: 'openrouter/openai/gpt-5',
    });
    now = 3_000;
    const tool = activity.begin({ kind: 'tool', agent: 'research', delegationId: 'd1.1.1', tool: 'fetch__fetch' });
    now = 4_500;
    assert.equal(activity.size, 2);
    assert.deepEqual(activity.inFlight(), [
      { agent: 'code', delegation_id: 'd1.1.0', kind: 'model', model: 'openrouter/openai/gpt-5', elapsed_ms: 3_500 },
      { agent: 'research', delegation_id: 'd1.1.1', kind: 'tool', tool: 'fetch__fetch', elapsed_ms: 1_500 },
    ]);
    model.end();
    model.end();
    assert.deepEqual(
      activity.inFlight().map((call) => call.agent),
      ['research'],
    );
    tool.end();
    assert.equal(activity.size, 0);
    assert.deepEqual(activity.inFlight(), []);
  });

  it('estimates tokens streamed from the characters the provider reports, and has no count for a call that does not stream', () => {
    const activity = new RunActivity(() => 0);
    const streaming = activity.begin({ kind: 'model', agent: 'code', delegationId: 'd1', model: 'fake/streaming' });
    activity.begin({ kind: 'model', agent: 'writer', delegationId: 'd2', model: 'fake/plain' });
    const [before] = activity.inFlight();
    assert.equal(before!.tokens_streamed, undefined, 'no count before the first chunk');
    streaming.streamed(0);
    assert.equal(activity.inFlight()[0]!.tokens_streamed, 0, 'a first chunk without text counts 0');
    const { streamed } = streaming; // handed to the provider unbound
    streamed(1_361);
    const [code, writer] = activity.inFlight();
    assert.equal(code!.tokens_streamed, 341);
    assert.ok(!('tokens_streamed' in writer!));
  });
});

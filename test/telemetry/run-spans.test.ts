import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { EventBus } from '../../src/events/event-bus.js';
import { RunSpans } from '../../src/telemetry/run-spans.js';

/** The span builder on an event stream no CLI run produces easily: a failover, a stuck agent, a run cut off. */
describe('RunSpans', () => {
  function setUp() {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    let clock = Date.parse('2026-12-01T10:00:00.000Z');
    const bus = new EventBus(
      'run-1',
      undefined,
      (error) => {
        throw error;
      },
      () => new Date((clock += 100)),
    );
    const spans = new RunSpans(provider.getTracer('test'), 'run-1', false, clock);
    bus.subscribe(spans.listener);
    return {
      exporter,
      bus,
      spans,
      byName: (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name),
    };
  }

  it('a failover is a failed chat span of the entry that failed; the next call starts after it', () => {
    const { bus, byName } = setUp();
    bus.emit({
      type: 'delegation-start',
      agent: 'coder',
      delegation_id: 'd1',
      parent_delegation_id: null,
      from: 'mux-swarm',
      depth: 0,
      task: 'x',
    });
    bus.emit({
      type: 'model-failover',
      agent: 'coder',
      delegation_id: 'd1',
      from: 'main/big-model',
      to: 'backup/small',
      kind: 'outage',
      reason: '503 from main',
      cooled_until: null,
    });
    bus.emit({
      type: 'assistant',
      agent: 'coder',
      delegation_id: 'd1',
      turn: 1,
      message: { role: 'assistant', model: 'small', content: [{ type: 'text', text: 'hi' }] },
      usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 0, reasoning_tokens: 0 },
      cost_usd: 0,
    });
    const [failed] = byName('chat big-model');
    assert.equal(failed?.status.code, 2);
    assert.equal(failed?.status.message, '503 from main');
    assert.equal(failed?.attributes['gen_ai.provider.name'], 'main');
    assert.equal(failed?.attributes['error.type'], 'outage');
    const [answered] = byName('chat small');
    assert.deepEqual(answered?.startTime, failed?.endTime, 'the retried call starts when the failover happened');
    assert.equal(answered?.attributes['gen_ai.output.messages'], undefined, 'no content by default');
  });

  it('a run cut off before its result ends its open spans; a stuck delegation is an error with its event', () => {
    const { bus, spans, byName, exporter } = setUp();
    bus.emit({
      type: 'delegation-start',
      agent: 'coder',
      delegation_id: 'd1',
      parent_delegation_id: null,
      from: 'mux-swarm',
      depth: 0,
      task: 'x',
    });
    bus.emit({
      type: 'delegation-start',
      agent: 'tester',
      delegation_id: 'd1.1.0',
      parent_delegation_id: 'd1',
      from: 'coder',
      depth: 1,
      task: 'y',
    });
    bus.emit({
      type: 'stuck',
      agent: 'tester',
      delegation_id: 'd1.1.0',
      pattern: 'no_progress',
      action: 'ended',
      detail: 'd',
      turn: 4,
    });
    bus.emit({
      type: 'delegation-end',
      agent: 'tester',
      delegation_id: 'd1.1.0',
      status: 'stuck',
      stop_reason: 'stuck',
      summary: 's',
      artifacts: [],
      turns: 4,
      duration_ms: 300,
      cost_usd: 0,
    });
    const [tester] = byName('invoke_agent tester');
    assert.equal(tester?.status.code, 2);
    assert.deepEqual(
      tester?.events.map((event) => event.name),
      ['stuck'],
    );
    assert.equal(byName('invoke_agent coder').length, 0, 'still open');
    spans.end();
    assert.equal(byName('invoke_agent coder').length, 1);
    assert.equal(byName('mux-swarm run').length, 1);
    assert.equal(exporter.getFinishedSpans().length, 3);
    bus.emit({ type: 'budget-warning', agent: 'mux-swarm', budget: 'usd', used: 1, limit: 2 });
    assert.equal(exporter.getFinishedSpans().length, 3, 'nothing after the end');
  });

  it('a resumed run: a delegation in progress before the restart gets its span at its first event, under its ancestor', () => {
    const { bus, spans, byName } = setUp();
    const result = (id: string) => ({
      type: 'tool_result' as const,
      tool_use_id: id,
      name: 'fs__read_file',
      content: 'x',
      is_error: false,
      duration_ms: 5,
    });
    bus.emit({ type: 'user', agent: 'coder', delegation_id: 'd1', message: { role: 'user', content: [result('a')] } });
    bus.emit({
      type: 'user',
      agent: 'tester',
      delegation_id: 'd1.3.0',
      message: { role: 'user', content: [result('b')] },
    });
    spans.end();
    const [coder] = byName('invoke_agent coder');
    const [tester] = byName('invoke_agent tester');
    const [run] = byName('mux-swarm run');
    assert.equal(coder?.parentSpanContext?.spanId, run?.spanContext().spanId);
    assert.equal(tester?.parentSpanContext?.spanId, coder?.spanContext().spanId);
    assert.equal(tester?.attributes['mux_swarm.delegation.resumed'], true);
    assert.equal(byName('execute_tool fs__read_file').length, 2);
  });
});

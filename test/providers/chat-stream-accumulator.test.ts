import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type OpenAI from 'openai';
import { ChatStreamAccumulator } from '../../src/providers/chat-stream-accumulator.js';

function chunk(
  delta: Record<string, unknown>,
  finish: string | null = null,
  extra: Record<string, unknown> = {},
): OpenAI.ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  } as OpenAI.ChatCompletionChunk;
}

describe('ChatStreamAccumulator', () => {
  it('merges tool-call deltas by index, even interleaved', () => {
    const accumulator = new ChatStreamAccumulator();
    accumulator.add(
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'one', arguments: '' } }] }),
    );
    accumulator.add(
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'two', arguments: '{"y"' } }] }),
    );
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }));
    accumulator.add(chunk({ tool_calls: [{ index: 1, function: { arguments: ':2}' } }] }));
    accumulator.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }));
    accumulator.add(chunk({}, 'tool_calls'));
    const result = accumulator.result();
    assert.deepEqual(result.toolCalls, [
      { id: 'a', name: 'one', arguments: '{"x":1}' },
      { id: 'b', name: 'two', arguments: '{"y":2}' },
    ]);
    assert.equal(result.content, null);
    assert.equal(result.finishReason, 'tool_calls');
  });

  it('copes with servers that omit index and id, or repeat the name', () => {
    const accumulator = new ChatStreamAccumulator();
    accumulator.add(
      chunk({
        tool_calls: [
          { function: { name: 'one', arguments: '{}' } },
          { function: { name: 'two', arguments: '{"a":1}' } },
        ],
      }),
    );
    const repeated = new ChatStreamAccumulator();
    repeated.add(chunk({ tool_calls: [{ index: 0, id: 'z', function: { name: 'same', arguments: '{"a"' } }] }));
    repeated.add(chunk({ tool_calls: [{ index: 0, function: { name: 'same', arguments: ':1}' } }] }));
    const calls = accumulator.result().toolCalls;
    assert.deepEqual(
      calls.map((call) => [call.name, call.arguments]),
      [
        ['one', '{}'],
        ['two', '{"a":1}'],
      ],
    );
    for (const call of calls) assert.match(call.id, /^call_/);
    assert.deepEqual(repeated.result().toolCalls, [{ id: 'z', name: 'same', arguments: '{"a":1}' }]);
  });

  it('returns text deltas, keeps usage from the usage chunk, and drops non-function calls', () => {
    const accumulator = new ChatStreamAccumulator();
    assert.equal(accumulator.add(chunk({ role: 'assistant', content: '' })), undefined);
    assert.equal(accumulator.add(chunk({ content: 'Hel' })), 'Hel');
    assert.equal(accumulator.add(chunk({ content: 'lo' })), 'lo');
    accumulator.add(
      chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'custom', function: { name: 'x', arguments: '' } }] }),
    );
    accumulator.add(chunk({}, 'stop'));
    accumulator.add({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'served-model',
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    const result = accumulator.result();
    assert.equal(result.content, 'Hello');
    assert.deepEqual(result.toolCalls, []);
    assert.equal(result.usage?.total_tokens, 5);
    assert.equal(result.model, 'served-model');
  });
});

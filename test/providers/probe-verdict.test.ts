import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guessEndpointKind } from '../../src/providers/endpoint-kind.js';
import { classifyProbeReply, probeFix, type ProbeReply } from '../../src/providers/probe-verdict.js';
import { PROBE_TOOL } from '../../src/cli/tool-call-probe.js';
import { parseToolCallsFromText } from '../../src/providers/tool-call-text-parser.js';

/** A text answer the way OpenAIChatModel hands it on: through the runtime's own recovery. */
function textReply(content: string, finishReason = 'stop'): ProbeReply {
  const recovered = parseToolCallsFromText(content, [PROBE_TOOL.name]);
  if (recovered.toolCalls.length === 0) return { content, toolCalls: [], toolCallsFromText: false, finishReason };
  return {
    content: recovered.text || null,
    toolCalls: recovered.toolCalls,
    toolCallsFromText: true,
    ...(recovered.dialect ? { textDialect: recovered.dialect } : {}),
    finishReason,
  };
}

describe('classifyProbeReply', () => {
  it('a call in the tool_calls field is native', () => {
    const verdict = classifyProbeReply({
      content: null,
      toolCalls: [{ id: 'call_1', name: 'probe_echo', arguments: '{"word":"ping"}' }],
      toolCallsFromText: false,
      finishReason: 'tool_calls',
    });
    assert.deepEqual(verdict, { outcome: 'native', detail: 'called probe_echo in the tool_calls field' });
  });

  it('a native call whose arguments are not a JSON object says so', () => {
    const verdict = classifyProbeReply({
      content: null,
      toolCalls: [{ id: 'call_1', name: 'probe_echo', arguments: '{"word": "pi' }],
      toolCallsFromText: false,
      finishReason: 'tool_calls',
    });
    assert.equal(verdict.outcome, 'native');
    assert.match(verdict.detail, /but its arguments are not a JSON object$/);
  });

  const recorded: Array<[string, string, string]> = [
    [
      '<tool_call>\n{"name": "probe_echo", "arguments": {"word": "ping"}}\n</tool_call>',
      'hermes',
      '<tool_call> tags (Hermes/Qwen)',
    ],
    ['[TOOL_CALLS] [{"name": "probe_echo", "arguments": {"word": "ping"}}]', 'mistral', '[TOOL_CALLS] (Mistral)'],
    ['[TOOL_CALLS]probe_echo[ARGS]{"word": "ping"}', 'mistral', '[TOOL_CALLS] (Mistral)'],
    [
      '<|python_tag|>{"name": "probe_echo", "parameters": {"word": "ping"}}<|eom_id|>',
      'llama',
      '<|python_tag|> / <function=…> (Llama)',
    ],
    ['<function=probe_echo>{"word": "ping"}</function>', 'llama', '<|python_tag|> / <function=…> (Llama)'],
    ['Sure:\n```json\n{"name": "probe_echo", "arguments": {"word": "ping"}}\n```', 'fenced', 'JSON in a code fence'],
    ['{"name": "probe_echo", "arguments": {"word": "ping"}}', 'json', 'bare JSON in the text'],
  ];
  for (const [content, dialect, named] of recorded) {
    it(`recovered text is "text", dialect ${dialect}: ${content.slice(0, 40)}`, () => {
      const verdict = classifyProbeReply(textReply(content));
      assert.equal(verdict.outcome, 'text');
      assert.equal(verdict.dialect, dialect);
      assert.equal(verdict.detail, `called probe_echo as ${named}; the runtime recovers it`);
    });
  }

  it('plain prose is nothing usable, with what it said', () => {
    const verdict = classifyProbeReply(textReply('I cannot call tools, but the word is ping.'));
    assert.deepEqual(verdict, {
      outcome: 'none',
      detail: 'no tool call, answered in prose: "I cannot call tools, but the word is ping."',
    });
  });

  it('JSON naming another tool is nothing usable (runs would not recover it either)', () => {
    assert.equal(classifyProbeReply(textReply('{"name": "echo", "arguments": {"word": "ping"}}')).outcome, 'none');
  });

  it('an answer cut at the output limit says so', () => {
    const verdict = classifyProbeReply(textReply('Let me think about which tool to use. First, '.repeat(5), 'length'));
    assert.equal(verdict.outcome, 'none');
    assert.match(verdict.detail, /^no tool call: the answer was cut at the output limit \("Let me think/);
  });

  it('an empty answer is nothing usable', () => {
    assert.deepEqual(
      classifyProbeReply({ content: null, toolCalls: [], toolCallsFromText: false, finishReason: 'stop' }),
      { outcome: 'none', detail: 'no tool call and no text' },
    );
  });
});

describe('probeFix', () => {
  it('names the switch of each server', () => {
    assert.match(
      probeFix({ outcome: 'none' }, 'ollama', 'qwen2.5-coder:3b') ?? '',
      /`ollama show qwen2\.5-coder:3b` lists "tools"/,
    );
    assert.match(probeFix({ outcome: 'none' }, 'llama.cpp', 'm') ?? '', /llama-server with --jinja/);
    assert.match(
      probeFix({ outcome: 'text', dialect: 'mistral' }, 'vllm', 'm') ?? '',
      /^usable as is; .*--enable-auto-tool-choice --tool-call-parser mistral /,
    );
    assert.match(probeFix({ outcome: 'text', dialect: 'hermes' }, 'vllm', 'm') ?? '', /--tool-call-parser hermes /);
    assert.match(probeFix({ outcome: 'text', dialect: 'llama' }, 'vllm', 'm') ?? '', /--tool-call-parser llama3_json /);
  });

  it('has nothing to fix for native calls', () => {
    assert.equal(probeFix({ outcome: 'native' }, 'ollama', 'm'), undefined);
  });
});

describe('guessEndpointKind', () => {
  it('reads the provider name, then the default port', () => {
    assert.equal(guessEndpointKind('ollama', 'http://gpu-box:9999/v1'), 'ollama');
    assert.equal(guessEndpointKind('local', 'http://127.0.0.1:11434/v1'), 'ollama');
    assert.equal(guessEndpointKind('llamacpp', 'http://127.0.0.1:9000/v1'), 'llama.cpp');
    assert.equal(guessEndpointKind('local', 'http://127.0.0.1:8080/v1'), 'llama.cpp');
    assert.equal(guessEndpointKind('local', 'http://127.0.0.1:8000/v1'), 'vllm');
    assert.equal(guessEndpointKind('openrouter', 'https://openrouter.ai/api/v1'), 'other');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseToolCallsFromText } from '../../src/providers/tool-call-text-parser.js';

const tools = ['fs__read_file', 'fs__write_file', 'shell__run'];

interface Case {
  name: string;
  text: string;
  /** Expected calls as [name, parsed arguments]; empty when the text must be left alone. */
  calls: Array<[string, Record<string, unknown>]>;
  /** Expected remaining text; defaults to the input when no call is expected. */
  rest?: string;
}

const cases: Case[] = [
  {
    name: 'bare name + arguments object',
    text: '{"name": "fs__read_file", "arguments": {"path": "a.txt"}}',
    calls: [['fs__read_file', { path: 'a.txt' }]],
    rest: '',
  },
  {
    name: 'parameters instead of arguments',
    text: '{"name": "shell__run", "parameters": {"command": "ls -la"}}',
    calls: [['shell__run', { command: 'ls -la' }]],
    rest: '',
  },
  {
    name: 'arguments as a JSON string',
    text: '{"name": "fs__read_file", "arguments": "{\\"path\\": \\"b.md\\"}"}',
    calls: [['fs__read_file', { path: 'b.md' }]],
    rest: '',
  },
  {
    name: 'tool + args',
    text: 'Sure.\n{"tool": "fs__write_file", "args": {"path": "x", "content": "y"}}',
    calls: [['fs__write_file', { path: 'x', content: 'y' }]],
    rest: 'Sure.',
  },
  {
    name: 'a list of calls (Mistral marker)',
    text: '[TOOL_CALLS][{"name": "fs__read_file", "arguments": {"path": "1"}}, {"name": "fs__read_file", "arguments": {"path": "2"}}]',
    calls: [
      ['fs__read_file', { path: '1' }],
      ['fs__read_file', { path: '2' }],
    ],
    rest: '',
  },
  {
    name: 'fenced json block with prose around it',
    text: 'I will read the file.\n\n```json\n{"name": "fs__read_file", "arguments": {"path": "README.md"}}\n```\n\nThen summarise.',
    calls: [['fs__read_file', { path: 'README.md' }]],
    rest: 'I will read the file.\n\nThen summarise.',
  },
  {
    name: 'Hermes/Qwen <tool_call> tags, two of them',
    text: '<tool_call>\n{"name": "fs__read_file", "arguments": {"path": "a"}}\n</tool_call>\n<tool_call>\n{"name": "shell__run", "arguments": {"command": "pwd"}}\n</tool_call>',
    calls: [
      ['fs__read_file', { path: 'a' }],
      ['shell__run', { command: 'pwd' }],
    ],
    rest: '',
  },
  {
    name: 'unclosed <tool_call> at the end',
    text: 'ok <tool_call>{"name": "shell__run", "arguments": {"command": "date"}}',
    calls: [['shell__run', { command: 'date' }]],
    rest: 'ok',
  },
  {
    name: 'OpenAI shape written as text',
    text: '{"type": "function", "function": {"name": "fs__read_file", "arguments": "{\\"path\\":\\"c\\"}"}}',
    calls: [['fs__read_file', { path: 'c' }]],
    rest: '',
  },
  {
    name: 'a tool_calls wrapper',
    text: '{"tool_calls": [{"name": "shell__run", "arguments": {"command": "id"}}]}',
    calls: [['shell__run', { command: 'id' }]],
    rest: '',
  },
  {
    name: 'a braces-in-strings argument',
    text: '{"name": "fs__write_file", "arguments": {"path": "f.js", "content": "if (a) { b(); } // ]"}}',
    calls: [['fs__write_file', { path: 'f.js', content: 'if (a) { b(); } // ]' }]],
    rest: '',
  },
  { name: 'name only, no arguments', text: '{"name": "shell__run"}', calls: [['shell__run', {}]], rest: '' },
  {
    name: 'Mistral v11+: [TOOL_CALLS]name{arguments}, twice',
    text: '[TOOL_CALLS]fs__read_file{"path": "a"}[TOOL_CALLS]shell__run{"command": "ls"}',
    calls: [
      ['fs__read_file', { path: 'a' }],
      ['shell__run', { command: 'ls' }],
    ],
    rest: '',
  },
  {
    name: 'Mistral v13: [TOOL_CALLS]name[ARGS]{arguments} after prose',
    text: 'Reading it.[TOOL_CALLS]fs__read_file[ARGS]{"path": "b"}',
    calls: [['fs__read_file', { path: 'b' }]],
    rest: 'Reading it.',
  },
  {
    name: 'Llama 3.1 <|python_tag|> with parameters',
    text: '<|python_tag|>{"name": "shell__run", "parameters": {"command": "pwd"}}',
    calls: [['shell__run', { command: 'pwd' }]],
    rest: '',
  },
  {
    name: 'Llama 3.1 <function=name> form',
    text: '<function=fs__read_file>{"path": "c.md"}</function>',
    calls: [['fs__read_file', { path: 'c.md' }]],
    rest: '',
  },
  // Negative cases: left as text.
  { name: 'Mistral v11+ naming an unknown tool', text: '[TOOL_CALLS]web__search{"q": "x"}', calls: [] },
  { name: 'Llama <function=…> naming an unknown tool', text: '<function=web__search>{"q": "x"}</function>', calls: [] },
  { name: 'unknown tool name', text: '{"name": "web__search", "arguments": {"q": "x"}}', calls: [] },
  {
    name: 'a list with one unknown name',
    text: '[{"name": "fs__read_file", "arguments": {}}, {"name": "nope", "arguments": {}}]',
    calls: [],
  },
  { name: 'plain prose', text: 'The answer is 42. No tools needed.', calls: [] },
  { name: 'ordinary JSON data', text: 'Here is the config: {"name": "Alice", "age": 3}', calls: [] },
  {
    name: 'a known name with unrelated keys',
    text: '{"name": "shell__run", "description": "runs commands"}',
    calls: [],
  },
  { name: 'invalid JSON', text: '{"name": "fs__read_file", "arguments": {"path": "a.txt"}', calls: [] },
  { name: 'arguments that are not an object', text: '{"name": "fs__read_file", "arguments": "a.txt"}', calls: [] },
  { name: 'a fenced block of code', text: '```js\nconst x = { name: "fs__read_file" };\n```', calls: [] },
];

describe('parseToolCallsFromText', () => {
  for (const testCase of cases) {
    it(`${testCase.calls.length > 0 ? 'recognises' : 'leaves alone'}: ${testCase.name}`, () => {
      const result = parseToolCallsFromText(testCase.text, tools);
      assert.deepEqual(
        result.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)]),
        testCase.calls,
      );
      assert.equal(result.text, testCase.rest ?? testCase.text);
      for (const call of result.toolCalls) assert.match(call.id, /^call_[0-9a-f]{24}$/);
    });
  }

  const dialects: Array<[string, string, string | undefined]> = [
    ['native-looking JSON, bare', '{"name": "shell__run", "arguments": {}}', 'json'],
    ['Hermes/Qwen tags', '<tool_call>{"name": "shell__run", "arguments": {}}</tool_call>', 'hermes'],
    ['Mistral list after the marker', '[TOOL_CALLS] [{"name": "shell__run", "arguments": {}}]', 'mistral'],
    ['Mistral v11+ named call', '[TOOL_CALLS]shell__run{}', 'mistral'],
    ['Llama python tag', '<|python_tag|>{"name": "shell__run", "parameters": {}}', 'llama'],
    ['Llama function tag', '<function=shell__run>{}</function>', 'llama'],
    ['a fenced block', '```json\n{"name": "shell__run", "arguments": {}}\n```', 'fenced'],
    ['plain prose', 'No call here.', undefined],
  ];
  for (const [what, text, dialect] of dialects) {
    it(`names the dialect: ${what} → ${dialect ?? 'none'}`, () => {
      assert.equal(parseToolCallsFromText(text, tools).dialect, dialect);
    });
  }

  it('keeps the call id a Mistral [CALL_ID] gives', () => {
    const result = parseToolCallsFromText('[TOOL_CALLS]shell__run[CALL_ID]a1B2c3D4e[ARGS]{"command": "id"}', tools);
    assert.deepEqual(result.toolCalls, [{ id: 'a1B2c3D4e', name: 'shell__run', arguments: '{"command":"id"}' }]);
    assert.equal(result.text, '');
  });

  it('gives each call a distinct id, or keeps the id the text gives', () => {
    const result = parseToolCallsFromText(
      '[{"name": "shell__run", "arguments": {}}, {"id": "call_given", "type": "function", "function": {"name": "shell__run", "arguments": {}}}]',
      tools,
    );
    assert.equal(result.toolCalls.length, 2);
    assert.notEqual(result.toolCalls[0]?.id, result.toolCalls[1]?.id);
    assert.equal(result.toolCalls[1]?.id, 'call_given');
  });

  it('finds nothing when the request has no tools', () => {
    const text = '{"name": "fs__read_file", "arguments": {"path": "a"}}';
    assert.deepEqual(parseToolCallsFromText(text, []), { toolCalls: [], text });
  });
});

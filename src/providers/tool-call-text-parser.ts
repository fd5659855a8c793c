import type { ToolCall } from './chat-types.js';
import { newToolCallId } from './tool-call-id.js';

/**
 * The text forms of a tool call this parser recovers — the one home for recognising them (the runtime's recovery
 * and `status --probe` both use it):
 * - `hermes`: `<tool_call>{"name": …, "arguments": …}</tool_call>` (Hermes 2/3, Qwen 2.5 and their chat templates);
 * - `mistral`: `[TOOL_CALLS]` then a JSON list of calls (tokenizer v3), or `[TOOL_CALLS]name{…}` /
 *   `[TOOL_CALLS]name[ARGS]{…}` per call (tokenizer v11 and later: Mistral Small 3.1+, Devstral, Magistral);
 * - `llama`: `<|python_tag|>{"name": …, "parameters": …}` (Llama 3.1/3.3 JSON tool calling) or
 *   `<function=name>{…}</function>` (Llama 3.1's custom-function form);
 * - `fenced`: the JSON of a call in a markdown code fence;
 * - `json`: the JSON of a call written bare in the text.
 */
export type TextToolCallDialect = 'hermes' | 'mistral' | 'llama' | 'fenced' | 'json';

export interface TextToolCalls {
  /** Calls recovered from the text, in the order they appear; empty when none were recognised. */
  toolCalls: ToolCall[];
  /** The text with the recognised calls (and their fences, tags and markers) removed, trimmed. */
  text: string;
  /** The form the first recovered call was written in; undefined when none was recovered. */
  dialect?: TextToolCallDialect;
}

interface Segment {
  start: number;
  end: number;
  calls: ToolCall[];
  dialect: TextToolCallDialect;
}

const taggedPattern = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;
const fencedPattern = /```[a-zA-Z_]*[ \t]*\n?([\s\S]*?)```/g;
/** Llama 3.1's custom-function form: the name in the tag, the arguments object inside. */
const llamaFunctionPattern = /<function=([A-Za-z0-9_-]{1,64})>([\s\S]*?)<\/function>/g;
/** Mistral tokenizer v11+: `[TOOL_CALLS]name`, an optional `[CALL_ID]id`, an optional `[ARGS]`, then the arguments object. */
const mistralNamedPattern =
  /\[TOOL_CALLS\]\s*([A-Za-z0-9_-]{1,64})\s*(?:\[CALL_ID\]\s*([A-Za-z0-9]+)\s*)?(?:\[ARGS\]\s*)?(?=\{)/g;
/** Markers some chat templates put before a call written as text (Mistral, Llama 3). */
const callMarkers = /\[TOOL_CALLS\]|<\|python_tag\|>/g;
const markerDialects: Array<[string, TextToolCallDialect]> = [
  ['[TOOL_CALLS]', 'mistral'],
  ['<|python_tag|>', 'llama'],
];
const nameKeys = ['name', 'tool', 'tool_name'] as const;
const argumentKeys = ['arguments', 'parameters', 'args', 'input'] as const;
const bookkeepingKeys = new Set(['id', 'type']);

/**
 * Recovers tool calls that a model wrote as JSON in its text instead of the tool-call field:
 * `{"name": ..., "arguments"|"parameters": {...}}`, `{"tool": ..., "args": {...}}`, the OpenAI shape
 * `{"type": "function", "function": {...}}`, a list of those, or `{"tool_calls": [...]}` — bare, in a
 * fenced block, or inside `<tool_call>…</tool_call>` (Hermes/Qwen); Mistral's `[TOOL_CALLS]name{…}` and Llama's
 * `<function=name>{…}</function>` too (see TextToolCallDialect). Only names in `toolNames` count: JSON naming
 * anything else (or a list with any unknown name) is left as text.
 */
export function parseToolCallsFromText(
  text: string,
  toolNames: Iterable<string>,
  createId: () => string = newToolCallId,
): TextToolCalls {
  const known = new Set(toolNames);
  if (known.size === 0 || !/[{[]/.test(text)) return { toolCalls: [], text };
  const segments: Segment[] = [];
  const consumed = (start: number, end: number): boolean =>
    segments.some((segment) => start < segment.end && end > segment.start);

  for (const [pattern, dialect] of [
    [taggedPattern, 'hermes'],
    [fencedPattern, 'fenced'],
  ] as const) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (consumed(start, end)) continue;
      const calls = callsFromJson(match[1] ?? '', known, createId);
      if (calls) segments.push({ start, end, calls, dialect });
    }
  }
  for (const match of text.matchAll(llamaFunctionPattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const call = consumed(start, end)
      ? undefined
      : namedCall(match[1] ?? '', (match[2] ?? '').trim(), undefined, known, createId);
    if (call) segments.push({ start, end, calls: [call], dialect: 'llama' });
  }
  for (const match of text.matchAll(mistralNamedPattern)) {
    const start = match.index;
    const argumentsStart = start + match[0].length;
    const end = balancedEnd(text, argumentsStart);
    if (end === undefined || consumed(start, end)) continue;
    const call = namedCall(match[1] ?? '', text.slice(argumentsStart, end), match[2], known, createId);
    if (call) segments.push({ start, end, calls: [call], dialect: 'mistral' });
  }
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if ((character !== '{' && character !== '[') || consumed(index, index + 1)) continue;
    const end = balancedEnd(text, index);
    if (end === undefined) continue;
    const source = text.slice(index, end);
    const value = parseJson(source);
    if (value === undefined) continue;
    const calls = consumed(index, end) ? undefined : extractCalls(value, known, createId);
    if (calls) segments.push({ start: index, end, calls, dialect: markedDialect(text.slice(0, index)) ?? 'json' });
    index = end - 1;
  }
  if (segments.length === 0) return { toolCalls: [], text };

  segments.sort((left, right) => left.start - right.start);
  let remaining = '';
  let cursor = 0;
  for (const segment of segments) {
    remaining += text.slice(cursor, segment.start);
    cursor = segment.end;
  }
  remaining += text.slice(cursor);
  return {
    toolCalls: segments.flatMap((segment) => segment.calls),
    text: remaining
      .replace(callMarkers, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
    dialect: segments[0]!.dialect,
  };
}

/** The dialect a marker before bare JSON names (`[TOOL_CALLS]`, `<|python_tag|>`): the last marker in `before` wins. */
function markedDialect(before: string): TextToolCallDialect | undefined {
  let found: { at: number; dialect: TextToolCallDialect } | undefined;
  for (const [marker, dialect] of markerDialects) {
    const at = before.lastIndexOf(marker);
    if (at >= 0 && (found === undefined || at > found.at)) found = { at, dialect };
  }
  return found?.dialect;
}

/** A call whose name stands outside its arguments object (Mistral v11+, Llama's `<function=…>`). */
function namedCall(
  name: string,
  argumentsSource: string,
  id: string | undefined,
  known: Set<string>,
  createId: () => string,
): ToolCall | undefined {
  if (!known.has(name)) return undefined;
  const value = argumentsSource === '' ? {} : parseJson(argumentsSource);
  if (!isRecord(value)) return undefined;
  return { id: id ?? createId(), name, arguments: JSON.stringify(value) };
}

function callsFromJson(source: string, known: Set<string>, createId: () => string): ToolCall[] | undefined {
  const value = parseJson(source.trim());
  return value === undefined ? undefined : extractCalls(value, known, createId);
}

function extractCalls(value: unknown, known: Set<string>, createId: () => string): ToolCall[] | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const calls: ToolCall[] = [];
    for (const item of value) {
      const call = toCall(item, known, createId);
      if (!call) return undefined;
      calls.push(call);
    }
    return calls;
  }
  if (isRecord(value) && Array.isArray(value.tool_calls) && Object.keys(value).length === 1) {
    return extractCalls(value.tool_calls, known, createId);
  }
  const call = toCall(value, known, createId);
  return call ? [call] : undefined;
}

function toCall(value: unknown, known: Set<string>, createId: () => string): ToolCall | undefined {
  if (!isRecord(value)) return undefined;
  if (isRecord(value.function)) {
    const inner = toCall(value.function, known, createId);
    return inner && typeof value.id === 'string' ? { ...inner, id: value.id } : inner;
  }
  const nameKey = nameKeys.find((key) => typeof value[key] === 'string');
  const name =
    nameKey === undefined
      ? typeof value.function === 'string'
        ? value.function
        : undefined
      : (value[nameKey] as string);
  if (name === undefined || !known.has(name)) return undefined;
  const argumentKey = argumentKeys.find((key) => key in value);
  let argumentsText: string;
  if (argumentKey === undefined) {
    // A bare {"name": "tool"} is a call without arguments; anything else beside the name is not a call.
    const others = Object.keys(value).filter(
      (key) => key !== nameKey && key !== 'function' && !bookkeepingKeys.has(key),
    );
    if (others.length > 0) return undefined;
    argumentsText = '{}';
  } else {
    const argumentsValue = value[argumentKey];
    if (isRecord(argumentsValue)) argumentsText = JSON.stringify(argumentsValue);
    else if (typeof argumentsValue === 'string' && isRecord(parseJson(argumentsValue))) argumentsText = argumentsValue;
    else if (argumentsValue === null) argumentsText = '{}';
    else return undefined;
  }
  return {
    id: typeof value.id === 'string' && value.id !== '' ? value.id : createId(),
    name,
    arguments: argumentsText,
  };
}

/** Index just past the bracket that closes the one at `start`, skipping strings; undefined when unclosed. */
function balancedEnd(text: string, start: number): number | undefined {
  const stack: string[] = [];
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{') stack.push('}');
    else if (character === '[') stack.push(']');
    else if (character === '}' || character === ']') {
      if (stack.pop() !== character) return undefined;
      if (stack.length === 0) return index + 1;
    }
  }
  return undefined;
}

function parseJson(source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

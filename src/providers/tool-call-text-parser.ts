import type { ToolCall } from './chat-types.js';
import { newToolCallId } from './tool-call-id.js';

export interface TextToolCalls {
  /** Calls recovered from the text, in the order they appear; empty when none were recognised. */
  toolCalls: ToolCall[];
  /** The text with the recognised calls (and their fences, tags and markers) removed, trimmed. */
  text: string;
}

interface Segment {
  start: number;
  end: number;
  calls: ToolCall[];
}

const taggedPattern = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;
const fencedPattern = /```[a-zA-Z_]*[ \t]*\n?([\s\S]*?)```/g;
/** Markers some chat templates put before a call written as text (Mistral, Llama 3). */
const callMarkers = /\[TOOL_CALLS\]|<\|python_tag\|>/g;
const nameKeys = ['name', 'tool', 'tool_name'] as const;
const argumentKeys = ['arguments', 'parameters', 'args', 'input'] as const;
const bookkeepingKeys = new Set(['id', 'type']);

/**
 * Recovers tool calls that a model wrote as JSON in its text instead of the tool-call field:
 * `{"name": ..., "arguments"|"parameters": {...}}`, `{"tool": ..., "args": {...}}`, the OpenAI shape
 * `{"type": "function", "function": {...}}`, a list of those, or `{"tool_calls": [...]}` — bare, in a
 * fenced block, or inside `<tool_call>…</tool_call>` (Hermes/Qwen). Only names in `toolNames` count: JSON
 * naming anything else (or a list with any unknown name) is left as text.
 */
export function parseToolCallsFromText(text: string, toolNames: Iterable<string>, createId: () => string = newToolCallId): TextToolCalls {
  const known = new Set(toolNames);
  if (known.size === 0 || !/[{[]/.test(text)) return { toolCalls: [], text };
  const segments: Segment[] = [];
  const consumed = (start: number, end: number): boolean => segments.some((segment) => start < segment.end && end > segment.start);

  for (const pattern of [taggedPattern, fencedPattern]) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (consumed(start, end)) continue;
      const calls = callsFromJson(match[1] ?? '', known, createId);
      if (calls) segments.push({ start, end, calls });
    }
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
    if (calls) segments.push({ start: index, end, calls });
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
    text: remaining.replace(callMarkers, '').replace(/\n{3,}/g, '\n\n').trim(),
  };
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
  const name = nameKey === undefined ? (typeof value.function === 'string' ? value.function : undefined) : (value[nameKey] as string);
  if (name === undefined || !known.has(name)) return undefined;
  const argumentKey = argumentKeys.find((key) => key in value);
  let argumentsText: string;
  if (argumentKey === undefined) {
    // A bare {"name": "tool"} is a call without arguments; anything else beside the name is not a call.
    const others = Object.keys(value).filter((key) => key !== nameKey && key !== 'function' && !bookkeepingKeys.has(key));
    if (others.length > 0) return undefined;
    argumentsText = '{}';
  } else {
    const argumentsValue = value[argumentKey];
    if (isRecord(argumentsValue)) argumentsText = JSON.stringify(argumentsValue);
    else if (typeof argumentsValue === 'string' && isRecord(parseJson(argumentsValue))) argumentsText = argumentsValue;
    else if (argumentsValue === null) argumentsText = '{}';
    else return undefined;
  }
  return { id: typeof value.id === 'string' && value.id !== '' ? value.id : createId(), name, arguments: argumentsText };
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

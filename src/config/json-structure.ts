import { formatJsonPath } from './json-path.js';

/** How deep a config file's objects and arrays may nest: real ones nest under ten levels. */
export const MAX_JSON_DEPTH = 100;

/** Where JSON text nests deeper than MAX_JSON_DEPTH: the offset of the first bracket past it. */
export function tooDeepOffset(text: string): number | undefined {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === '"') index = stringEnd(text, index);
    else if (character === '{' || character === '[') {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) return index;
    } else if (character === '}' || character === ']') depth -= 1;
  }
  return undefined;
}

/** A key written twice in one object: its JSON path and the offset of the second occurrence. */
export interface DuplicateKey {
  path: string;
  offset: number;
}

interface Frame {
  kind: 'object' | 'array';
  keys: Set<string>;
  /** The key whose value is being read (objects) or the element's index (arrays). */
  segment: string | number;
  expectKey: boolean;
}

/**
 * The first key that appears twice in one object of valid JSON text (JSON.parse keeps the last silently), with its
 * path (`mcpServers.fs`); undefined when every key is unique. The text must already parse.
 */
export function firstDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    const top = stack[stack.length - 1];
    if (character === '"') {
      const end = stringEnd(text, index);
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        top.expectKey = false;
        top.segment = key;
        if (top.keys.has(key)) return { path: formatJsonPath(stack.map((frame) => frame.segment)), offset: index };
        top.keys.add(key);
      }
      index = end;
    } else if (character === '{') stack.push({ kind: 'object', keys: new Set(), segment: '', expectKey: true });
    else if (character === '[') stack.push({ kind: 'array', keys: new Set(), segment: 0, expectKey: false });
    else if (character === '}' || character === ']') stack.pop();
    else if (character === ',' && top) {
      if (top.kind === 'object') top.expectKey = true;
      else top.segment = (top.segment as number) + 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string that opens at `start` (the text's end when it is never closed). */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return text.length;
}

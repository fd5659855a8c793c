/**
 * Canonical JSON: object keys sorted by UTF-16 code units (recursively; integer-like keys too, unlike
 * `JSON.stringify`'s own order), no whitespace, `undefined` members dropped. Two parties holding the same value
 * produce the same bytes, which is what a signature needs. Numbers must be finite; anything JSON cannot hold
 * (functions, symbols, bigint) is refused.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, '$');
}

function serialise(value: unknown, path: string): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is not a finite number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item, index) => (item === undefined ? 'null' : serialise(item, `${path}[${index}]`))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null)
      throw new TypeError(`canonical JSON: ${path} is not a plain object`);
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${serialise(member, `${path}.${key}`)}`);
    }
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot hold`);
}

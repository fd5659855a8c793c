/** Names exposed to models are `server__tool`; providers accept `^[a-zA-Z0-9_-]{1,64}$`. */
export const TOOL_NAME_SEPARATOR = '__';
const ALLOWED = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * The name a model sees for `tool` of `server`. Characters providers reject are replaced by `_`, and a name
 * that would pass 64 characters is shortened with a stable hash suffix so two tools never share a name.
 */
export function exposedToolName(server: string, tool: string): string {
  const name = `${server}${TOOL_NAME_SEPARATOR}${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  if (ALLOWED.test(name)) return name;
  const hash = stableHash(`${server}/${tool}`).slice(0, 8);
  return `${name.slice(0, 64 - hash.length - 1)}_${hash}`;
}

export function isValidExposedName(name: string): boolean {
  return ALLOWED.test(name);
}

function stableHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Names exposed to models are `server__tool`; providers accept `^[a-zA-Z0-9_-]{1,64}$`. */
export const TOOL_NAME_SEPARATOR = '__';
const ALLOWED = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
const HASH_LENGTH = 8;

/**
 * The name a model sees for `tool` of `server`. Characters providers reject are replaced by `_`; a name that had
 * to be changed that way, or that would pass 64 characters, gets a stable hash of the original suffixed (after
 * shortening) so that `a.b` and `a_b`, or two long names with the same start, never share a name.
 */
export function exposedToolName(server: string, tool: string): string {
  const name = `${server}${TOOL_NAME_SEPARATOR}${tool}`;
  if (ALLOWED.test(name)) return name;
  return withHashSuffix(name.replace(/[^a-zA-Z0-9_-]/g, '_'), `${server}/${tool}`);
}

/**
 * A name for `tool` of `server` that is not in `taken`: the exposed name when it is free, otherwise (a tool whose
 * own name happens to look like another's hashed name) a hashed variant that is. Stable for the same inputs.
 */
export function uniqueExposedName(server: string, tool: string, taken: { has(name: string): boolean }): string {
  const name = exposedToolName(server, tool);
  if (!taken.has(name)) return name;
  for (let attempt = 1; ; attempt += 1) {
    const candidate = withHashSuffix(name, `${server}/${tool}#${attempt}`);
    if (!taken.has(candidate)) return candidate;
  }
}

export function isValidExposedName(name: string): boolean {
  return ALLOWED.test(name);
}

function withHashSuffix(name: string, hashed: string): string {
  const hash = stableHash(hashed).slice(0, HASH_LENGTH);
  return `${name.slice(0, MAX_LENGTH - HASH_LENGTH - 1)}_${hash}`;
}

function stableHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

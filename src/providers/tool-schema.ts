import { InvalidToolNameError } from '../errors/invalid-tool-name-error.js';

const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** Throws InvalidToolNameError unless the name matches ^[a-zA-Z0-9_-]{1,64}$ (what OpenAI, Gemini and others accept). */
export function assertToolName(name: string): void {
  if (!toolNamePattern.test(name)) throw new InvalidToolNameError(name);
}

/** Keys dropped wherever they appear as schema keywords: Gemini rejects `$schema`, others choke on the rest. */
const droppedKeywords = new Set(['$schema', '$id', '$comment']);
/** Keywords whose value is a map from names to schemas. */
const schemaMapKeywords = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is one schema. */
const schemaKeywords = new Set([
  'items',
  'additionalProperties',
  'additionalItems',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
]);
/** Keywords whose value is a list of schemas. */
const schemaListKeywords = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);

/**
 * A copy of a tool's JSON Schema fit to send to models: `$schema`, `$id` and `$comment` removed at every level
 * (property names are left alone), empty `required` lists dropped, and the top level forced to
 * `{type: "object", properties: {...}}` as function calling requires. The input is not modified.
 */
export function cleanToolSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (schema === undefined) return cleanedSchema(undefined);
  let cleaned = cleanedSchemas.get(schema);
  if (cleaned === undefined) {
    cleaned = Object.freeze(cleanedSchema(schema));
    cleanedSchemas.set(schema, cleaned);
  }
  return cleaned;
}

/**
 * Cleaned once per schema object: an agent's tool list is the same objects turn after turn. A schema is never changed
 * in place once a tool is listed (a server that changes its tools lists new objects), and the copy is frozen at the top.
 */
const cleanedSchemas = new WeakMap<Record<string, unknown>, Record<string, unknown>>();

function cleanedSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const cleaned = isPlainObject(schema) ? cleanSchema(schema) : {};
  const top = isPlainObject(cleaned) ? cleaned : {};
  return {
    ...top,
    type: 'object',
    properties: isPlainObject(top.properties) ? top.properties : {},
  };
}

function cleanSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (!isPlainObject(schema)) return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (droppedKeywords.has(key)) continue;
    if (key === 'required' && Array.isArray(value) && value.length === 0) continue;
    if (schemaMapKeywords.has(key) && isPlainObject(value)) {
      result[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, cleanSchema(inner)]));
    } else if (
      (schemaKeywords.has(key) || schemaListKeywords.has(key)) &&
      typeof value === 'object' &&
      value !== null
    ) {
      result[key] = cleanSchema(value);
    } else {
      result[key] = structuredClone(value);
    }
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

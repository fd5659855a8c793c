import { z } from 'zod';
import type { ConfigIssue } from '../errors/config-error.js';
import { closestName } from '../text/name-suggestions.js';
import { formatJsonPath } from './json-path.js';

type ZodIssue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** zod's own wording; anything else was written by us in the schema and is kept as is. */
const DEFAULT_MESSAGE = /^(Invalid (input|option|string|URL|key|element|union)|Too (small|big)|Unrecognized key)/;

/** Turns zod issues into one line each, phrased for a person editing the file. */
export function formatIssues(issues: readonly ZodIssue[], data: unknown, schema: AnySchema): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path, data);
      for (const key of issue.keys) {
        const suggestion = closestName(key, known);
        result.push({
          path: formatJsonPath([...issue.path, key]),
          message: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ${known.length ? `allowed here: ${known.join(', ')}` : 'remove it'}`,
        });
      }
      continue;
    }
    const missing = missingUnionField(issue, data);
    if (missing !== undefined) {
      result.push({ path: formatJsonPath(issue.path), message: missing });
      continue;
    }
    // A discriminator the user never wrote (we infer `type` from the keys): report on the entry itself.
    const path =
      issue.code === 'invalid_union' && issue.path.length > 0 && valueAt(data, issue.path) === undefined
        ? issue.path.slice(0, -1)
        : issue.path;
    result.push({ path: formatJsonPath(path), message: describeIssue(issue, valueAt(data, path)) });
  }
  return result;
}

/** A required field that may take several types (a model or a list of models), not written: "required (a string or an array)". */
function missingUnionField(issue: ZodIssue, data: unknown): string | undefined {
  if (issue.code !== 'invalid_union' || issue.path.length === 0 || valueAt(data, issue.path) !== undefined)
    return undefined;
  const expected = issue.errors.map((alternative) =>
    alternative.length === 1 && alternative[0]!.code === 'invalid_type' && alternative[0]!.path.length === 0
      ? alternative[0]!.expected
      : undefined,
  );
  if (expected.length === 0 || expected.some((type) => type === undefined || type === 'object')) return undefined;
  return `required (${expected.map((type) => article(type!)).join(' or ')})`;
}

function describeIssue(issue: ZodIssue, value: unknown): string {
  if (!DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `required (${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${describeValue(value)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((option) => JSON.stringify(option)).join(', ')}; got ${describeValue(value)}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array')
        return `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}; got ${describeValue(value)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}; got ${describeValue(value)}`;
    case 'invalid_format':
      return `not a valid ${issue.format}: ${describeValue(value)}`;
    case 'invalid_union':
      return `does not match any allowed shape; got ${describeValue(value)}`;
    case 'invalid_key': {
      // A record key failed its pattern: the schema's own wording says what names are allowed.
      const written = issue.issues.map((inner) => inner.message).find((message) => !DEFAULT_MESSAGE.test(message));
      return written ?? 'this name is not allowed here';
    }
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'an integer',
    object: 'an object',
    array: 'an array',
    string: 'a string',
    number: 'a number',
    boolean: 'true or false',
    record: 'an object',
  };
  return names[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * The keys an object schema accepts at `path`, walking through wrappers, arrays, records and unions. `data` picks
 * the option of a discriminated union (after any preprocess step, e.g. an MCP server's inferred `type`), so a
 * stdio server is not told that `url` is allowed.
 */
function knownKeysAt(schema: AnySchema, path: ReadonlyArray<PropertyKey>, data: unknown): string[] {
  const keys = new Set<string>();
  const visit = (node: AnySchema, depth: number, value: unknown): void => {
    const definition = node._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (definition.type) {
      case 'optional':
      case 'default':
      case 'nullable':
      case 'prefault':
      case 'readonly':
        visit(definition.innerType as AnySchema, depth, value);
        return;
      case 'pipe': {
        const input = definition.in as AnySchema;
        visit(input, depth, value);
        const transformed = input._zod.def.type === 'transform' ? z.safeParse(input, value).data : value;
        visit(definition.out as AnySchema, depth, transformed);
        return;
      }
      case 'union': {
        const options = definition.options as AnySchema[];
        const discriminator = definition.discriminator as string | undefined;
        const chosen = discriminator === undefined ? undefined : valueAt(value, [discriminator]);
        const matching = options.filter((option) =>
          option._zod.propValues?.[discriminator ?? '']?.has(chosen as never),
        );
        for (const option of matching.length > 0 ? matching : options) visit(option, depth, value);
        return;
      }
      case 'object': {
        const shape = definition.shape as Record<string, AnySchema>;
        if (depth === path.length) {
          for (const key of Object.keys(shape)) keys.add(key);
          return;
        }
        const child = shape[String(path[depth])];
        if (child) visit(child, depth + 1, valueAt(value, [path[depth]!]));
        return;
      }
      case 'record':
        if (depth < path.length) visit(definition.valueType as AnySchema, depth + 1, valueAt(value, [path[depth]!]));
        return;
      case 'array':
        if (depth < path.length) visit(definition.element as AnySchema, depth + 1, valueAt(value, [path[depth]!]));
        return;
      default:
        return;
    }
  };
  visit(schema, 0, data);
  return [...keys].sort();
}

import { readFile, stat } from 'node:fs/promises';
import { formatFieldPath, type FieldPathSegment } from '../../config/goal-phases-field-path.js';
import type { FieldOperator, FieldValue } from '../../config/goal-phases-condition.js';
import type { ConditionResult } from './condition-result.js';

/** JSON files bigger than this are not parsed: a metrics file is small, and parsing needs the whole text. */
export const MAX_JSON_FILE_BYTES = 64 * 1024 * 1024;

export interface JsonFieldCheck {
  fieldPath: readonly FieldPathSegment[];
  operator: FieldOperator;
  value: FieldValue;
}

/** Reads the JSON file at `realPath` (inside the workdir) and compares one of its fields. */
export async function checkJsonField(realPath: string, check: JsonFieldCheck): Promise<ConditionResult> {
  const size = (await stat(realPath)).size;
  if (size > MAX_JSON_FILE_BYTES) {
    return {
      met: false,
      detail: `the file has ${size} bytes, more than the ${MAX_JSON_FILE_BYTES} a JSON field condition reads; check a smaller summary file`,
    };
  }
  let document: unknown;
  try {
    document = JSON.parse((await readFile(realPath, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (error) {
    return {
      met: false,
      detail: `the file is not valid JSON: ${(error as Error).message.split('\n')[0]?.slice(0, 160)}`,
    };
  }
  const found = lookUpField(document, check.fieldPath);
  const name = formatFieldPath(check.fieldPath);
  if ('missing' in found) return { met: false, detail: `${name} is missing: ${found.missing}` };
  const wanted = `${check.operator} ${describeValue(check.value)}`;
  const numeric = check.operator !== '==' && check.operator !== '!=';
  if (numeric && typeof found.value !== 'number') {
    return { met: false, detail: `${name} is ${describeValue(found.value)}, not a number; needs ${wanted}` };
  }
  const met = compare(found.value, check.operator, check.value);
  return {
    met,
    detail: met
      ? `${name} is ${describeValue(found.value)} (${wanted})`
      : `${name} is ${describeValue(found.value)}, needs ${wanted}`,
  };
}

function lookUpField(
  document: unknown,
  fieldPath: readonly FieldPathSegment[],
): { value: unknown } | { missing: string } {
  let value = document;
  for (let position = 0; position < fieldPath.length; position += 1) {
    const segment = fieldPath[position]!;
    const parent = position === 0 ? 'the top level' : formatFieldPath(fieldPath.slice(0, position));
    if (typeof segment === 'number') {
      if (!Array.isArray(value)) return { missing: `${parent} is ${describeValue(value)}, not an array` };
      if (segment >= value.length)
        return { missing: `${parent} has ${value.length} item${value.length === 1 ? '' : 's'}, so no [${segment}]` };
      value = value[segment];
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { missing: `${parent} is ${describeValue(value)}, not an object` };
    if (!Object.hasOwn(value, segment)) {
      const keys = Object.keys(value);
      const listed =
        keys.length === 0
          ? 'it has no keys'
          : `its keys: ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? ', …' : ''}`;
      return { missing: `${parent} has no key "${segment}" (${listed})` };
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return { value };
}

function compare(actual: unknown, operator: FieldOperator, expected: FieldValue): boolean {
  switch (operator) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return (actual as number) < (expected as number);
    case '<=':
      return (actual as number) <= (expected as number);
    case '>':
      return (actual as number) > (expected as number);
    case '>=':
      return (actual as number) >= (expected as number);
  }
}

/** A JSON value in a few words: scalars as JSON, containers by size. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object' && value !== null)
    return `an object with ${Object.keys(value).length} key${Object.keys(value).length === 1 ? '' : 's'}`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

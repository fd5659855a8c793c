import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidToolNameError } from '../../src/errors/invalid-tool-name-error.js';
import { assertToolName, cleanToolSchema } from '../../src/providers/tool-schema.js';

describe('cleanToolSchema', () => {
  it('strips $schema, $id and $comment at every level but keeps properties with those names', () => {
    const input = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:tool',
      type: 'object',
      properties: {
        $schema: { type: 'string', description: 'a property that happens to be named $schema' },
        options: {
          $schema: 'x',
          $comment: 'inner',
          type: 'object',
          properties: { depth: { type: 'integer', $id: 'd' } },
        },
        items: { type: 'array', items: { $schema: 'x', type: 'string' } },
        choice: { anyOf: [{ $schema: 'x', type: 'string' }, { type: 'number' }] },
      },
      $defs: { thing: { $schema: 'x', type: 'boolean' } },
      required: ['options'],
    };
    const frozen = structuredClone(input);
    const cleaned = cleanToolSchema(input);
    assert.deepEqual(cleaned, {
      type: 'object',
      properties: {
        $schema: { type: 'string', description: 'a property that happens to be named $schema' },
        options: { type: 'object', properties: { depth: { type: 'integer' } } },
        items: { type: 'array', items: { type: 'string' } },
        choice: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      $defs: { thing: { type: 'boolean' } },
      required: ['options'],
    });
    assert.deepEqual(input, frozen, 'the input is not modified');
  });

  it('makes the top level an object with properties', () => {
    assert.deepEqual(cleanToolSchema({}), { type: 'object', properties: {} });
    assert.deepEqual(cleanToolSchema(undefined), { type: 'object', properties: {} });
    assert.deepEqual(cleanToolSchema({ type: 'object' }), { type: 'object', properties: {} });
    assert.deepEqual(cleanToolSchema({ properties: { a: { type: 'string' } } }), {
      type: 'object',
      properties: { a: { type: 'string' } },
    });
  });

  it('drops an empty required list and keeps the rest of the vocabulary', () => {
    assert.deepEqual(
      cleanToolSchema({
        type: 'object',
        properties: { a: { type: 'string', enum: ['x', 'y'], default: 'x' } },
        required: [],
        additionalProperties: false,
      }),
      {
        type: 'object',
        properties: { a: { type: 'string', enum: ['x', 'y'], default: 'x' } },
        additionalProperties: false,
      },
    );
  });
});

describe('assertToolName', () => {
  it('accepts server__tool names up to 64 characters', () => {
    for (const name of ['fs__read_file', 'a', 'web-search__get', 'x'.repeat(64)])
      assert.doesNotThrow(() => assertToolName(name), name);
  });
  it('rejects empty, long, dotted and spaced names', () => {
    for (const name of ['', 'x'.repeat(65), 'fs.read', 'read file', 'fs/read', 'é']) {
      assert.throws(
        () => assertToolName(name),
        (error: unknown) => error instanceof InvalidToolNameError && error.code === 'tool_name_invalid',
        JSON.stringify(name),
      );
    }
  });
});

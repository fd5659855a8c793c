import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { McpTestClient } from '../../support/mcp-test-client.js';
import {
  connectMemory,
  graphOf,
  makeTemporaryDirectory,
  relationLines,
  removeDirectory,
  searchNames,
} from './memory-harness.js';

let directory: string;
let memory: McpTestClient;

before(async () => {
  directory = await makeTemporaryDirectory();
  memory = await connectMemory(path.join(directory, 'memory.db'));
  const created = await memory.call('create_entities', {
    entities: [
      {
        name: 'Release checklist',
        entityType: 'document',
        observations: ['mentions kubernetes once among many other steps: tag, build, sign, upload, announce'],
      },
      { name: 'Kubernetes', entityType: 'technology', observations: ['kubernetes runs the staging cluster'] },
      { name: 'Alice', entityType: 'person', observations: ['likes TypeScript', 'owns the deployment pipeline'] },
      { name: 'Bob', entityType: 'person', observations: ['writes Rust', 'on call this week'] },
      { name: 'Café Central', entityType: 'place', observations: ['team lunch on Fridays'] },
      { name: 'Rust compiler', entityType: 'tool', observations: ['slow on the CI runners'] },
      { name: 'Catalog', entityType: 'service', observations: ['lists products'] },
      { name: 'Cat', entityType: 'animal', observations: ['sleeps in the office'] },
    ],
  });
  assert.equal(created.isError, false);
  await memory.call('create_relations', {
    relations: [
      { from: 'Alice', to: 'Kubernetes', relationType: 'operates' },
      { from: 'Bob', to: 'Rust compiler', relationType: 'uses' },
    ],
  });
});

after(async () => {
  await memory.close();
  await removeDirectory(directory);
});

describe('memory server search_nodes', () => {
  it('ranks an entity named by the query above one that mentions it in passing', async () => {
    assert.deepEqual(await searchNames(memory, 'kubernetes'), ['Kubernetes', 'Release checklist']);
  });

  it('ranks a whole-word match above a word that only starts with the query', async () => {
    assert.deepEqual(await searchNames(memory, 'cat'), ['Cat', 'Catalog']);
  });

  it('finds word beginnings: deploy finds deployment', async () => {
    assert.deepEqual(await searchNames(memory, 'deploy'), ['Alice']);
  });

  it('requires every word when some entity has them all', async () => {
    assert.deepEqual(await searchNames(memory, 'rust compiler'), ['Rust compiler']);
  });

  it('falls back to any word when no entity has them all', async () => {
    const names = await searchNames(memory, 'typescript cluster');
    assert.deepEqual([...names].sort(), ['Alice', 'Kubernetes']);
  });

  it('still finds what the reference server finds by substring inside a word', async () => {
    assert.deepEqual(await searchNames(memory, 'script'), ['Alice']);
    assert.deepEqual(await searchNames(memory, 'ubernet'), ['Release checklist', 'Kubernetes']);
  });

  it('ignores case and accents', async () => {
    assert.deepEqual(await searchNames(memory, 'CAFE'), ['Café Central']);
    assert.deepEqual(await searchNames(memory, 'café'), ['Café Central']);
  });

  it('matches entity types', async () => {
    assert.deepEqual(await searchNames(memory, 'person'), ['Alice', 'Bob']);
  });

  it('returns the relations that touch a found entity', async () => {
    const graph = graphOf(await memory.call('search_nodes', { query: 'Bob' }));
    assert.deepEqual(
      graph.entities.map((entity) => entity.name),
      ['Bob'],
    );
    assert.deepEqual(relationLines(graph), ['Bob -uses-> Rust compiler']);
  });

  it('returns every entity for an empty query, as the reference does', async () => {
    assert.equal((await searchNames(memory, '')).length, 8);
  });

  it('returns nothing, without an error, when nothing matches', async () => {
    assert.deepEqual(graphOf(await memory.call('search_nodes', { query: 'zeppelin' })), {
      entities: [],
      relations: [],
    });
  });

  it('treats FTS5 syntax in a query as plain text', async () => {
    const queries = [
      '"',
      '""',
      '"unterminated',
      '*',
      'rust*',
      '-',
      '-rust',
      ':',
      'name:Alice',
      'AND',
      'rust AND',
      'OR rust',
      'NOT',
      'NEAR(rust compiler)',
      '(rust',
      '^rust',
      'rust + compiler',
      "it's",
      '{name entityType}: rust',
    ];
    for (const query of queries) {
      const outcome = await memory.call('search_nodes', { query });
      assert.equal(outcome.isError, false, `query ${JSON.stringify(query)} failed: ${outcome.text}`);
    }
    assert.deepEqual(await searchNames(memory, '"Alice"'), ['Alice']);
    assert.deepEqual(await searchNames(memory, '-bob'), ['Bob'], 'a leading minus does not exclude');
    assert.deepEqual(await searchNames(memory, 'catalog*'), ['Catalog']);
    assert.deepEqual(await searchNames(memory, 'NOT'), [], 'NOT is a word to look for, not an operator');
    assert.deepEqual((await searchNames(memory, 'rust OR')).includes('Rust compiler'), true);
  });
});

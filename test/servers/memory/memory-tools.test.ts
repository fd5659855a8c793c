import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { McpTestClient } from '../../support/mcp-test-client.js';
import {
  connectMemory,
  entityNames,
  graphOf,
  makeTemporaryDirectory,
  relationLines,
  removeDirectory,
  searchNames,
} from './memory-harness.js';

let directory: string;
let memory: McpTestClient;

beforeEach(async () => {
  directory = await makeTemporaryDirectory();
  memory = await connectMemory(path.join(directory, 'memory.db'));
});

afterEach(async () => {
  await memory.close();
  await removeDirectory(directory);
});

const alice = { name: 'Alice', entityType: 'person', observations: ['likes TypeScript', 'lives in Berlin'] };
const acme = { name: 'Acme', entityType: 'company', observations: ['makes anvils'] };
const bob = { name: 'Bob', entityType: 'person', observations: [] };

async function seed(): Promise<void> {
  assert.equal((await memory.call('create_entities', { entities: [alice, acme, bob] })).isError, false);
  const relations = [
    { from: 'Alice', to: 'Acme', relationType: 'works_at' },
    { from: 'Bob', to: 'Acme', relationType: 'works_at' },
    { from: 'Alice', to: 'Bob', relationType: 'knows' },
  ];
  assert.equal((await memory.call('create_relations', { relations })).isError, false);
}

describe('memory server tools', () => {
  it('lists the nine tools of @modelcontextprotocol/server-memory, each with an output schema', async () => {
    const { tools } = await memory.client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [
      'add_observations',
      'create_entities',
      'create_relations',
      'delete_entities',
      'delete_observations',
      'delete_relations',
      'open_nodes',
      'read_graph',
      'search_nodes',
    ]);
    for (const tool of tools) assert.ok(tool.outputSchema, `${tool.name} declares an output schema`);
    assert.equal(tools.find((tool) => tool.name === 'read_graph')?.annotations?.readOnlyHint, true);
    assert.equal(tools.find((tool) => tool.name === 'delete_entities')?.annotations?.destructiveHint, true);
  });

  it('reads an empty graph from a new database', async () => {
    assert.deepEqual(graphOf(await memory.call('read_graph')), { entities: [], relations: [] });
  });

  it('create_entities returns the new entities as JSON text and structured content', async () => {
    const outcome = await memory.call('create_entities', { entities: [alice, acme] });
    assert.equal(outcome.isError, false);
    assert.deepEqual(outcome.structured, { entities: [alice, acme] });
    assert.deepEqual(JSON.parse(outcome.text), [alice, acme]);
  });

  it('create_entities skips names that exist (keeping the stored entity) and repeats within one call', async () => {
    await memory.call('create_entities', { entities: [alice] });
    const outcome = await memory.call('create_entities', {
      entities: [
        { name: 'Alice', entityType: 'robot', observations: ['replaced'] },
        acme,
        { name: 'Acme', entityType: 'shop', observations: [] },
      ],
    });
    assert.deepEqual(outcome.structured, { entities: [acme] });
    assert.deepEqual(graphOf(await memory.call('read_graph')).entities, [alice, acme]);
  });

  it('stores each observation of an entity once', async () => {
    const outcome = await memory.call('create_entities', {
      entities: [{ name: 'Carol', entityType: 'person', observations: ['reads Rust', 'reads Rust', 'runs'] }],
    });
    assert.deepEqual(outcome.structured, {
      entities: [{ name: 'Carol', entityType: 'person', observations: ['reads Rust', 'runs'] }],
    });
    const added = await memory.call('add_observations', {
      observations: [{ entityName: 'Carol', contents: ['runs', 'swims', 'swims'] }],
    });
    assert.deepEqual(added.structured, { results: [{ entityName: 'Carol', addedObservations: ['swims'] }] });
    assert.deepEqual(graphOf(await memory.call('open_nodes', { names: ['Carol'] })).entities[0]?.observations, [
      'reads Rust',
      'runs',
      'swims',
    ]);
  });

  it('create_relations returns only new relations and, like the reference, accepts ends that do not exist', async () => {
    await seed();
    const outcome = await memory.call('create_relations', {
      relations: [
        { from: 'Alice', to: 'Acme', relationType: 'works_at' },
        { from: 'Alice', to: 'Acme', relationType: 'founded' },
        { from: 'Alice', to: 'Zed', relationType: 'mentors' },
      ],
    });
    assert.deepEqual(outcome.structured, {
      relations: [
        { from: 'Alice', to: 'Acme', relationType: 'founded' },
        { from: 'Alice', to: 'Zed', relationType: 'mentors' },
      ],
    });
    assert.deepEqual(relationLines(graphOf(await memory.call('read_graph'))), [
      'Alice -works_at-> Acme',
      'Bob -works_at-> Acme',
      'Alice -knows-> Bob',
      'Alice -founded-> Acme',
      'Alice -mentors-> Zed',
    ]);
  });

  it('add_observations appends new observations and reports them per entity', async () => {
    await seed();
    const outcome = await memory.call('add_observations', {
      observations: [
        { entityName: 'Alice', contents: ['likes TypeScript', 'plays chess'] },
        { entityName: 'Bob', contents: ['new hire'] },
      ],
    });
    assert.equal(outcome.isError, false);
    assert.deepEqual(outcome.structured, {
      results: [
        { entityName: 'Alice', addedObservations: ['plays chess'] },
        { entityName: 'Bob', addedObservations: ['new hire'] },
      ],
    });
    const graph = graphOf(await memory.call('open_nodes', { names: ['Alice', 'Bob'] }));
    assert.deepEqual(
      graph.entities.map((entity) => entity.observations),
      [['likes TypeScript', 'lives in Berlin', 'plays chess'], ['new hire']],
    );
  });

  it('add_observations to an unknown entity is an error result and keeps nothing of the call', async () => {
    await seed();
    const outcome = await memory.call('add_observations', {
      observations: [
        { entityName: 'Bob', contents: ['should not stay'] },
        { entityName: 'Nobody', contents: ['anything'] },
      ],
    });
    assert.equal(outcome.isError, true);
    assert.equal(outcome.structured, undefined);
    assert.match(outcome.text, /^Entity with name Nobody not found/);
    assert.match(outcome.text, /create_entities/);
    assert.deepEqual(graphOf(await memory.call('open_nodes', { names: ['Bob'] })).entities[0]?.observations, []);
  });

  it('arguments of the wrong shape are an error result naming the tool', async () => {
    const outcome = await memory.call('create_entities', { entities: [{ name: 'Alice' }] });
    assert.equal(outcome.isError, true);
    assert.match(outcome.text, /create_entities/);
    assert.deepEqual(graphOf(await memory.call('read_graph')).entities, []);
  });

  it('delete_entities removes the entities with their observations and every relation from or to them', async () => {
    await seed();
    await memory.call('create_relations', { relations: [{ from: 'Zed', to: 'Acme', relationType: 'sues' }] });
    const outcome = await memory.call('delete_entities', { entityNames: ['Acme', 'Ghost'] });
    assert.equal(outcome.isError, false);
    assert.deepEqual(outcome.structured, { success: true, message: 'Entities deleted successfully' });
    const graph = graphOf(await memory.call('read_graph'));
    assert.deepEqual(entityNames(graph), ['Alice', 'Bob']);
    assert.deepEqual(relationLines(graph), ['Alice -knows-> Bob']);
    assert.deepEqual(await searchNames(memory, 'anvils'), [], 'the deleted observations left the search index');

    await memory.call('create_entities', { entities: [{ name: 'Acme', entityType: 'company', observations: [] }] });
    const recreated = graphOf(await memory.call('open_nodes', { names: ['Acme'] }));
    assert.deepEqual(recreated.entities, [{ name: 'Acme', entityType: 'company', observations: [] }]);
    assert.deepEqual(recreated.relations, []);
  });

  it("keeps the search index in step when a deleted entity's row id is used again", async () => {
    await memory.call('create_entities', {
      entities: [{ name: 'Zeppelin', entityType: 'airship', observations: ['floats over Friedrichshafen'] }],
    });
    await memory.call('delete_entities', { entityNames: ['Zeppelin'] });
    await memory.call('create_entities', {
      entities: [{ name: 'Kettle', entityType: 'appliance', observations: ['boils water'] }],
    });
    assert.deepEqual(await searchNames(memory, 'Friedrichshafen'), []);
    assert.deepEqual(await searchNames(memory, 'airship'), []);
    assert.deepEqual(await searchNames(memory, 'boils'), ['Kettle']);
  });

  it('delete_observations removes the listed observations and ignores unknown entities', async () => {
    await seed();
    const outcome = await memory.call('delete_observations', {
      deletions: [
        { entityName: 'Alice', observations: ['lives in Berlin', 'never said'] },
        { entityName: 'Nobody', observations: ['anything'] },
      ],
    });
    assert.equal(outcome.isError, false);
    assert.deepEqual(outcome.structured, { success: true, message: 'Observations deleted successfully' });
    assert.deepEqual(graphOf(await memory.call('open_nodes', { names: ['Alice'] })).entities[0]?.observations, [
      'likes TypeScript',
    ]);
    assert.deepEqual(await searchNames(memory, 'Berlin'), []);
    assert.deepEqual(await searchNames(memory, 'TypeScript'), ['Alice']);
  });

  it('delete_relations removes exact matches only', async () => {
    await seed();
    const outcome = await memory.call('delete_relations', {
      relations: [
        { from: 'Alice', to: 'Bob', relationType: 'knows' },
        { from: 'Bob', to: 'Alice', relationType: 'works_at' },
        { from: 'Ghost', to: 'Acme', relationType: 'haunts' },
      ],
    });
    assert.deepEqual(outcome.structured, { success: true, message: 'Relations deleted successfully' });
    const graph = graphOf(await memory.call('read_graph'));
    assert.deepEqual(relationLines(graph), ['Alice -works_at-> Acme', 'Bob -works_at-> Acme']);
    assert.deepEqual(entityNames(graph), ['Alice', 'Acme', 'Bob'], 'entities are untouched');
  });

  it('open_nodes returns existing entities in creation order and relations with at least one end among them', async () => {
    await seed();
    await memory.call('create_entities', { entities: [{ name: 'Dave', entityType: 'person', observations: [] }] });
    await memory.call('create_relations', { relations: [{ from: 'Dave', to: 'Bob', relationType: 'knows' }] });
    const graph = graphOf(await memory.call('open_nodes', { names: ['Bob', 'Alice', 'Ghost'] }));
    assert.deepEqual(entityNames(graph), ['Alice', 'Bob']);
    assert.deepEqual(relationLines(graph), [
      'Alice -works_at-> Acme',
      'Bob -works_at-> Acme',
      'Alice -knows-> Bob',
      'Dave -knows-> Bob',
    ]);
    assert.deepEqual(graphOf(await memory.call('open_nodes', { names: ['Ghost'] })), { entities: [], relations: [] });
  });

  it('read_graph returns every entity and relation in creation order as JSON text and structured content', async () => {
    await seed();
    const outcome = await memory.call('read_graph');
    const graph = graphOf(outcome);
    assert.deepEqual(graph.entities, [alice, acme, bob]);
    assert.equal(graph.relations.length, 3);
    assert.deepEqual(JSON.parse(outcome.text), graph);
  });
});

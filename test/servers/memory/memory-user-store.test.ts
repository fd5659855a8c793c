import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createMemoryServer, type MemoryServerOptions } from '../../../src/servers/memory/memory-server.js';
import { openKnowledgeGraphStore } from '../../../src/state/open-knowledge-graph-store.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';
import { entityNames, graphOf, makeTemporaryDirectory, removeDirectory, searchNames } from './memory-harness.js';

const LESSON = {
  name: 'python-venv',
  entityType: 'machine-quirk',
  observations: ['python after venv activation is a shim, call /venv/main/bin/python'],
};
const LOCAL = { name: 'train-script', entityType: 'file', observations: ['train.py reads ./data/python-ready.txt'] };

describe('memory server: lessons marked general reach every workdir through the user store', () => {
  let directory: string;
  const clients: McpTestClient[] = [];

  beforeEach(async () => {
    directory = await makeTemporaryDirectory();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await removeDirectory(directory);
  });

  /** A memory server in workdir `name` (its own state.db) sharing the user store in `<directory>/user`. */
  async function serverIn(name: string, options: Partial<MemoryServerOptions> = {}): Promise<McpTestClient> {
    const client = await connectTestClient(
      createMemoryServer({
        databasePath: path.join(directory, name, '.mux-swarm', 'state.db'),
        userStoreDirectory: path.join(directory, 'user'),
        ...options,
      }),
      `memory-${name}`,
    );
    clients.push(client);
    return client;
  }

  it('writes a general lesson in workdir A that search_nodes finds from workdir B; a lesson not marked stays in A', async () => {
    const a = await serverIn('a');
    const created = await a.call('create_entities', { entities: [{ ...LESSON, general: true }, LOCAL] });
    assert.equal(created.isError, false, created.text);
    assert.deepEqual(created.structured, { entities: [LESSON, LOCAL] }, "the reference's result, without the mark");
    assert.equal(created.content.length, 1, 'no note: the user store was written');

    const b = await serverIn('b');
    const found = graphOf(await b.call('search_nodes', { query: 'python venv' }));
    assert.deepEqual(found.entities, [LESSON]);
    assert.deepEqual(await searchNames(b, 'python'), ['python-venv'], 'train-script stayed in workdir A');
    assert.deepEqual(await searchNames(a, 'python'), ['python-venv', 'train-script']);
    assert.deepEqual(entityNames(graphOf(await b.call('read_graph'))), ['python-venv']);
    assert.deepEqual(graphOf(await b.call('open_nodes', { names: ['python-venv', 'train-script'] })).entities, [
      LESSON,
    ]);
  });

  it("adds to a shared lesson from workdir B, and B's own observations join it in both reads", async () => {
    const a = await serverIn('a');
    await a.call('create_entities', { entities: [{ ...LESSON, general: true }] });
    const b = await serverIn('b');
    const added = await b.call('add_observations', {
      observations: [{ entityName: 'python-venv', contents: ['pip is a shim too'], general: true }],
    });
    assert.equal(added.isError, false, added.text);
    assert.deepEqual(added.structured, {
      results: [{ entityName: 'python-venv', addedObservations: ['pip is a shim too'] }],
    });
    const fromA = graphOf(await a.call('open_nodes', { names: ['python-venv'] })).entities;
    assert.deepEqual(fromA, [{ ...LESSON, observations: [...LESSON.observations, 'pip is a shim too'] }]);
  });

  it('shares every write with shareGraph "all", and none with "none" (which reads only the workdir too)', async () => {
    const all = await serverIn('a', { shareGraph: 'all' });
    await all.call('create_entities', { entities: [LOCAL] });
    const none = await serverIn('b', { shareGraph: 'none' });
    assert.deepEqual(await searchNames(none, 'python'), [], '"none" does not read the user store');
    await none.call('create_entities', { entities: [{ ...LESSON, general: true }] });
    const reader = await serverIn('c');
    assert.deepEqual(
      await searchNames(reader, 'python'),
      ['train-script'],
      'what "all" wrote is shared; what "none" wrote is not',
    );
  });

  it('deletes from the user store too', async () => {
    const a = await serverIn('a');
    await a.call('create_entities', { entities: [{ ...LESSON, general: true }] });
    const b = await serverIn('b');
    const deleted = await b.call('delete_entities', { entityNames: ['python-venv'] });
    assert.deepEqual(deleted.structured, { success: true, message: 'Entities deleted successfully' });
    assert.deepEqual(await searchNames(a, 'python'), ['python-venv'], 'workdir A keeps its own copy');
    const user = openKnowledgeGraphStore(path.join(directory, 'user', 'memory.db'));
    try {
      assert.deepEqual(user.readGraph(), { entities: [], relations: [] });
    } finally {
      user.close();
    }
  });

  it('starts without a user store that cannot be opened: the workdir write stands and the result says the user store was not written', async () => {
    writeFileSync(path.join(directory, 'not-a-directory'), 'a file where the user store directory should be');
    const client = await connectTestClient(
      createMemoryServer({
        databasePath: path.join(directory, 'a', 'state.db'),
        userStoreDirectory: path.join(directory, 'not-a-directory'),
        fixes: true,
      }),
    );
    clients.push(client);
    const created = await client.call('create_entities', { entities: [{ ...LESSON, general: true }] });
    assert.equal(created.isError, false, created.text);
    assert.deepEqual(created.structured, { entities: [LESSON] });
    assert.equal(created.content.length, 2);
    assert.match(
      created.text,
      /Not written to the user store \(.*not-a-directory\/memory\.db\): it cannot be opened .*kept in this workdir's graph only/,
    );
    assert.deepEqual(await searchNames(client, 'python'), ['python-venv']);
    const fixes = await client.call('search_fixes', { error: 'TypeError: nothing known' });
    assert.equal(fixes.isError, false, 'the failure memory tools work on the workdir alone');
  });

  it('tells agents about the general mark in the server instructions and the write tools', async () => {
    const a = await serverIn('a');
    assert.match(
      a.client.getInstructions() ?? '',
      /Mark general: true what holds beyond this project: machine quirks, library API changes, how to call tools/,
    );
    const { tools } = await a.client.listTools();
    for (const name of ['create_entities', 'create_relations', 'add_observations']) {
      assert.match(
        tools.find((tool) => tool.name === name)?.description ?? '',
        /Mark general: true what holds beyond this project/,
        name,
      );
    }
  });
});

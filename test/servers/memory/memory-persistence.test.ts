import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createMemoryServer } from '../../../src/servers/memory/memory-server.js';
import { openDatabase } from '../../../src/state/database.js';
import { connectTestClient } from '../../support/mcp-test-client.js';
import { connectMemory, graphOf, makeTemporaryDirectory, removeDirectory, searchNames } from './memory-harness.js';

let directory: string;

beforeEach(async () => {
  directory = await makeTemporaryDirectory();
});

afterEach(async () => {
  await removeDirectory(directory);
});

describe('memory server persistence', () => {
  it('keeps the graph across a close and a new server on the same file', async () => {
    const databasePath = path.join(directory, 'nested', 'memory.db');
    const first = await connectMemory(databasePath);
    await first.call('create_entities', {
      entities: [
        { name: 'Alice', entityType: 'person', observations: ['likes TypeScript'] },
        { name: 'Acme', entityType: 'company', observations: [] },
      ],
    });
    await first.call('create_relations', { relations: [{ from: 'Alice', to: 'Acme', relationType: 'works_at' }] });
    await first.call('add_observations', { observations: [{ entityName: 'Acme', contents: ['makes anvils'] }] });
    const before = graphOf(await first.call('read_graph'));
    await first.close();

    const second = await connectMemory(databasePath);
    try {
      assert.deepEqual(graphOf(await second.call('read_graph')), before);
      assert.deepEqual(await searchNames(second, 'anvils'), ['Acme'], 'the search index persisted too');
      const again = await second.call('create_entities', {
        entities: [{ name: 'Alice', entityType: 'person', observations: [] }],
      });
      assert.deepEqual(again.structured, { entities: [] }, 'uniqueness holds across servers');
    } finally {
      await second.close();
    }
  });

  it('closes the database when the server closes, and a second close is harmless', async () => {
    const databasePath = path.join(directory, 'memory.db');
    const server = createMemoryServer({ databasePath });
    const memory = await connectTestClient(server);
    await memory.call('create_entities', { entities: [{ name: 'Alice', entityType: 'person', observations: [] }] });
    assert.equal(existsSync(`${databasePath}-wal`), true, 'an open WAL database has a -wal file');
    await memory.close();
    assert.equal(existsSync(`${databasePath}-wal`), false, 'the last connection closing removes the -wal file');
    await server.close();
    server.server.onclose?.();

    const reopened = await connectMemory(databasePath);
    try {
      assert.deepEqual(await searchNames(reopened, 'Alice'), ['Alice']);
    } finally {
      await reopened.close();
    }
  });

  it('shares the state database with a connection that stays open, as the runtime does', async () => {
    const stateDirectory = path.join(directory, '.mux-swarm');
    const runtimeConnection = openDatabase(stateDirectory);
    try {
      const memory = await connectMemory(path.join(stateDirectory, 'state.db'));
      try {
        const created = await memory.call('create_entities', {
          entities: [{ name: 'Alice', entityType: 'person', observations: ['on call'] }],
        });
        assert.equal(created.isError, false);
        assert.deepEqual(await searchNames(memory, 'call'), ['Alice']);
      } finally {
        await memory.close();
      }
      const stored = runtimeConnection.prepare('SELECT name FROM memory_entities').pluck().all();
      assert.deepEqual(stored, ['Alice']);
      assert.equal(
        runtimeConnection.prepare('SELECT count(*) FROM runs').pluck().get(),
        0,
        'the run tables are there too',
      );
    } finally {
      runtimeConnection.close();
    }
  });
});

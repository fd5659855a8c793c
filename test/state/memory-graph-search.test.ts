import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, type SqliteDatabase } from '../../src/state/database.js';
import { searchMemoryEntities } from '../../src/state/memory-graph-search.js';

/** Adds an entity with observations created at the given minutes, as the memory server stores them. */
function addEntity(
  database: SqliteDatabase,
  name: string,
  entityType: string,
  observations: Array<[string, number]>,
): void {
  const at = (minute: number) => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const id = database
    .prepare('INSERT INTO memory_entities (name, entity_type, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id')
    .pluck()
    .get(name, entityType, at(0), at(0)) as number;
  for (const [content, minute] of observations)
    database
      .prepare('INSERT INTO memory_observations (entity_id, content, created_at) VALUES (?, ?, ?)')
      .run(id, content, at(minute));
}

describe('searchMemoryEntities over the workdir graph and the user store', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-graph-search-'));
  let workdir: SqliteDatabase;
  let user: SqliteDatabase;

  before(() => {
    workdir = openDatabase(join(directory, 'work'));
    user = openDatabase(join(directory, 'user'), 'memory.db');
    addEntity(workdir, 'python-venv', 'workdir-quirk', [
      ['old workdir note', 1],
      ['shared note', 3],
      ['newest workdir note', 9],
    ]);
    addEntity(user, 'python-venv', 'machine-quirk', [
      ['shared note', 2],
      ['user note', 5],
    ]);
    addEntity(user, 'cuda-driver', 'machine-quirk', [['python wheels need CUDA 12.4', 4]]);
    addEntity(workdir, 'groceries', 'note', [['buy milk', 1]]);
  });
  after(() => {
    workdir.close();
    user.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('finds what only the user store knows, and reads an entity both hold as one', () => {
    const found = searchMemoryEntities([workdir, user], ['python'], { limit: 5, observationsPerEntity: 3 });
    assert.deepEqual(found, [
      {
        name: 'python-venv',
        entityType: 'workdir-quirk',
        observations: ['shared note', 'user note', 'newest workdir note'],
        moreObservations: 1,
      },
      {
        name: 'cuda-driver',
        entityType: 'machine-quirk',
        observations: ['python wheels need CUDA 12.4'],
        moreObservations: 0,
      },
    ]);
  });

  it('reads the workdir alone when given it alone, and skips a database without the memory tables', () => {
    assert.deepEqual(
      searchMemoryEntities([workdir], ['python'], { limit: 5, observationsPerEntity: 1 }).map((entity) => [
        entity.name,
        entity.observations,
      ]),
      [['python-venv', ['newest workdir note']]],
    );
    const bare = new Database(':memory:');
    try {
      assert.deepEqual(
        searchMemoryEntities([bare, user], ['cuda'], { limit: 5, observationsPerEntity: 1 }).map(
          (entity) => entity.name,
        ),
        ['cuda-driver'],
      );
    } finally {
      bare.close();
    }
  });
});

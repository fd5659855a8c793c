import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { KnowledgeGraphStore } from '../../../src/state/knowledge-graph-store.js';
import { UnknownEntityError } from '../../../src/errors/unknown-entity-error.js';
import { SharedKnowledgeGraph } from '../../../src/servers/memory/shared-knowledge-graph.js';
import { openDatabase } from '../../../src/state/database.js';
import { makeTemporaryDirectory, removeDirectory } from './memory-harness.js';

const VENV = {
  name: 'python-venv',
  entityType: 'machine-quirk',
  observations: ['python after venv activation is a shim, call /venv/main/bin/python'],
};
const DATASET = { name: 'dataset', entityType: 'fact', observations: ['the training data is in ./raw'] };

describe('SharedKnowledgeGraph: the workdir graph with the user store beside it', () => {
  let directory: string;
  let workdir: KnowledgeGraphStore;
  let user: KnowledgeGraphStore;

  beforeEach(async () => {
    directory = await makeTemporaryDirectory();
    workdir = new KnowledgeGraphStore(openDatabase(path.join(directory, 'work')));
    user = new KnowledgeGraphStore(openDatabase(path.join(directory, 'user'), 'memory.db'));
  });
  afterEach(async () => {
    workdir.close();
    user.close();
    await removeDirectory(directory);
  });

  const shared = (sharing: 'general' | 'all') =>
    new SharedKnowledgeGraph(workdir, { path: path.join(directory, 'user', 'memory.db'), store: user, sharing });

  it('writes what is marked general through to the user store, and only that, with sharing "general"', () => {
    const graph = shared('general');
    const created = graph.createEntities([{ ...VENV, general: true }, DATASET]);
    assert.deepEqual(
      created,
      { result: [VENV, DATASET] },
      "the result is the workdir's, without the mark, and no note",
    );
    assert.deepEqual(user.readGraph().entities, [VENV]);

    graph.addObservations([
      { entityName: 'python-venv', contents: ['pip also is a shim'], general: true },
      { entityName: 'dataset', contents: ['300 files'] },
    ]);
    graph.createRelations([
      { from: 'python-venv', to: 'dataset', relationType: 'unrelated_to', general: true },
      { from: 'dataset', to: 'python-venv', relationType: 'local_only' },
    ]);
    assert.deepEqual(user.readGraph(), {
      entities: [{ ...VENV, observations: [...VENV.observations, 'pip also is a shim'] }],
      relations: [{ from: 'python-venv', to: 'dataset', relationType: 'unrelated_to' }],
    });
    assert.deepEqual(
      workdir.readGraph().entities.map((entity) => entity.observations.length),
      [2, 2],
    );
  });

  it('writes every entity, addition and relation through with sharing "all"', () => {
    const graph = shared('all');
    graph.createEntities([VENV, DATASET]);
    graph.addObservations([{ entityName: 'dataset', contents: ['300 files'] }]);
    graph.createRelations([{ from: 'dataset', to: 'python-venv', relationType: 'needs' }]);
    assert.deepEqual(user.readGraph(), workdir.readGraph());
  });

  it('writes nothing to a user store it is not given (sharing "none" or sharing off)', () => {
    const graph = new SharedKnowledgeGraph(workdir);
    assert.deepEqual(graph.createEntities([{ ...VENV, general: true }]), { result: [VENV] });
    assert.deepEqual(user.readGraph(), { entities: [], relations: [] });
    user.createEntities([DATASET]);
    assert.deepEqual(graph.readGraph().result.entities, [VENV], "and reads only the workdir's");
  });

  it('merges a general entity into the one the user store already has: new observations are added, the type kept', () => {
    user.createEntities([{ name: 'python-venv', entityType: 'quirk', observations: ['seen on box 1'] }]);
    const { result } = shared('general').createEntities([{ ...VENV, general: true }]);
    assert.deepEqual(result, [VENV], 'new in the workdir: created there');
    assert.deepEqual(user.readGraph().entities, [
      { name: 'python-venv', entityType: 'quirk', observations: ['seen on box 1', ...VENV.observations] },
    ]);
  });

  it("reads the union: one entity per name (the workdir's type, observations of both without repeats, the workdir's first), each relation once", () => {
    workdir.createEntities([{ name: 'python-venv', entityType: 'workdir-type', observations: ['a', 'b'] }, DATASET]);
    user.createEntities([
      { name: 'python-venv', entityType: 'user-type', observations: ['b', 'c'] },
      { name: 'cuda', entityType: 'quirk', observations: ['12.4'] },
    ]);
    workdir.createRelations([{ from: 'dataset', to: 'python-venv', relationType: 'needs' }]);
    user.createRelations([
      { from: 'dataset', to: 'python-venv', relationType: 'needs' },
      { from: 'python-venv', to: 'cuda', relationType: 'uses' },
    ]);
    const graph = shared('general');
    assert.deepEqual(graph.readGraph(), {
      result: {
        entities: [
          { name: 'python-venv', entityType: 'workdir-type', observations: ['a', 'b', 'c'] },
          DATASET,
          { name: 'cuda', entityType: 'quirk', observations: ['12.4'] },
        ],
        relations: [
          { from: 'dataset', to: 'python-venv', relationType: 'needs' },
          { from: 'python-venv', to: 'cuda', relationType: 'uses' },
        ],
      },
    });
    assert.deepEqual(graph.openNodes(['cuda', 'python-venv']).result, {
      entities: [
        { name: 'python-venv', entityType: 'workdir-type', observations: ['a', 'b', 'c'] },
        { name: 'cuda', entityType: 'quirk', observations: ['12.4'] },
      ],
      relations: [
        { from: 'dataset', to: 'python-venv', relationType: 'needs' },
        { from: 'python-venv', to: 'cuda', relationType: 'uses' },
      ],
    });
  });

  it('ranks search results of both stores tier by tier: a whole-word match in the user store before a substring match in the workdir', () => {
    workdir.createEntities([
      { name: 'notes', entityType: 'note', observations: ['the pythonic way'] },
      { name: 'venv-python', entityType: 'quirk', observations: ['workdir fact'] },
    ]);
    user.createEntities([
      { name: 'python-shim', entityType: 'quirk', observations: ['call python by its full path'] },
      { name: 'mypython', entityType: 'note', observations: ['nothing'] },
    ]);
    const { result } = shared('general').searchNodes('python');
    // Tier 1 (whole word): venv-python (workdir), python-shim (user), in turn; tier 2 (prefix): notes ("pythonic");
    // tier 4 (substring): mypython.
    assert.deepEqual(
      result.entities.map((entity) => entity.name),
      ['venv-python', 'python-shim', 'notes', 'mypython'],
    );
    assert.deepEqual(
      shared('general')
        .searchNodes('python', { limit: 2 })
        .result.entities.map((entity) => entity.name),
      ['venv-python', 'python-shim'],
    );
  });

  it('deletes from both stores what each holds', () => {
    const graph = shared('all');
    graph.createEntities([VENV, DATASET, { name: 'cuda', entityType: 'quirk', observations: ['12.4', '12.6'] }]);
    graph.createRelations([
      { from: 'dataset', to: 'cuda', relationType: 'needs' },
      { from: 'python-venv', to: 'cuda', relationType: 'uses' },
    ]);
    user.createEntities([{ name: 'only-in-user', entityType: 'fact', observations: [] }]);

    assert.deepEqual(graph.deleteEntities(['python-venv', 'only-in-user']), { result: undefined });
    graph.deleteObservations([{ entityName: 'cuda', observations: ['12.4'] }]);
    graph.deleteRelations([{ from: 'dataset', to: 'cuda', relationType: 'needs' }]);
    const expected = {
      entities: [DATASET, { name: 'cuda', entityType: 'quirk', observations: ['12.6'] }],
      relations: [],
    };
    assert.deepEqual(workdir.readGraph(), expected);
    assert.deepEqual(user.readGraph(), expected, 'the relation python-venv → cuda went with its entity');
  });

  it("extends an entity only the user store holds: it is created in the workdir with the user store's type", () => {
    user.createEntities([VENV]);
    const graph = shared('general');
    const { result } = graph.addObservations([{ entityName: 'python-venv', contents: ['pip too'] }]);
    assert.deepEqual(result, [{ entityName: 'python-venv', addedObservations: ['pip too'] }]);
    assert.deepEqual(workdir.readGraph().entities, [
      { name: 'python-venv', entityType: 'machine-quirk', observations: ['pip too'] },
    ]);
    assert.deepEqual(user.readGraph().entities, [VENV], 'not marked general: the user store is unchanged');
    assert.throws(() => graph.addObservations([{ entityName: 'nobody', contents: ['x'] }]), UnknownEntityError);
  });

  it("creates a general addition's entity in the user store with the workdir's type when the user store lacks it", () => {
    workdir.createEntities([DATASET]);
    shared('general').addObservations([
      { entityName: 'dataset', contents: ['download it with ./fetch.sh'], general: true },
    ]);
    assert.deepEqual(user.readGraph().entities, [
      { name: 'dataset', entityType: 'fact', observations: ['download it with ./fetch.sh'] },
    ]);
  });

  it('keeps the workdir write when the user store cannot be written, and says so in a note', () => {
    const graph = shared('general');
    user.close();
    const created = graph.createEntities([{ ...VENV, general: true }]);
    assert.deepEqual(created.result, [VENV]);
    assert.match(
      created.note ?? '',
      /^Not written to the user store \(.*memory\.db\): .*closed.*What this call wrote is kept in this workdir's graph only/,
    );
    assert.deepEqual(workdir.readGraph().entities, [VENV]);
    assert.equal(graph.createEntities([DATASET]).note, undefined, 'nothing to share: no note');

    const read = graph.searchNodes('python');
    assert.deepEqual(read.result.entities, [VENV]);
    assert.match(
      read.note ?? '',
      /^The user store \(.*\) could not be read: .*; these results are this workdir's graph only\.$/,
    );
    assert.match(graph.deleteEntities(['dataset']).note ?? '', /^Not deleted from the user store/);
    assert.deepEqual(workdir.readGraph().entities, [VENV]);
  });

  it('works without the user store when memory.db could not be opened, naming why', () => {
    const graph = new SharedKnowledgeGraph(workdir, {
      path: '/nowhere/memory.db',
      problem: 'it cannot be opened (permission denied)',
      sharing: 'general',
    });
    const created = graph.createEntities([{ ...VENV, general: true }]);
    assert.deepEqual(created.result, [VENV]);
    assert.match(
      created.note ?? '',
      /^Not written to the user store \(\/nowhere\/memory\.db\): it cannot be opened \(permission denied\)\./,
    );
    assert.deepEqual(graph.readGraph().result.entities, [VENV]);
  });

  it('redacts secrets before they reach either store', () => {
    const secretStore = new KnowledgeGraphStore(workdir.database, { secrets: ['my-own-secret-value-42'] });
    const userSecretStore = new KnowledgeGraphStore(user.database, { secrets: ['my-own-secret-value-42'] });
    const graph = new SharedKnowledgeGraph(secretStore, { path: 'memory.db', store: userSecretStore, sharing: 'all' });
    const { result } = graph.createEntities([
      {
        name: 'hf',
        entityType: 'credential',
        observations: ['export HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz0123456789', 'the key is my-own-secret-value-42'],
      },
    ]);
    for (const graphRead of [result, workdir.readGraph().entities, user.readGraph().entities]) {
      const text = JSON.stringify(graphRead);
      assert.doesNotMatch(text, /hf_abcdefghijklmnopqrstuvwxyz0123456789|my-own-secret-value-42/);
      assert.match(text, /\[REDACTED\]/);
    }
  });
});

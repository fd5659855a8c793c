import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KnowledgeGraphStore } from '../../src/state/knowledge-graph-store.js';
import { openDatabase } from '../../src/state/database.js';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';

const CONFIG_SECRET = 'plain-looking-config-secret-7731';
const TOKEN = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';

/** The graph of a store, read with the memory server's own store. */
function graphIn(directory: string, file = 'memory.db') {
  const store = new KnowledgeGraphStore(openDatabase(directory, file));
  try {
    return store.readGraph();
  } finally {
    store.close();
  }
}

/**
 * Workdir a's state.db and the user store user-a each hold part of a knowledge graph (python-venv in both, with
 * different observations). The texts are written without redaction, as an older mux-swarm may have left them.
 */
describe('mux-swarm memory export and import: the knowledge graph', () => {
  let project: ProjectFixture;
  let config: string;
  const cli = (args: string[]): Promise<CliResult> =>
    runCli(['memory', ...args], {
      cwd: project.directory,
      env: { HOME: join(project.directory, 'home'), GRAPH_TEST_KEY: CONFIG_SECRET },
    });

  before(() => {
    project = createProjectFixture('mux-swarm-graph-lines-');
    config = project.write('config.json', {
      providers: { local: { baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: 'GRAPH_TEST_KEY' } },
    });
    const workdir = openDatabase(join(project.directory, 'a', '.mux-swarm'));
    const user = openDatabase(join(project.directory, 'user-a'), 'memory.db');
    const insert = (database: typeof workdir, name: string, entityType: string, observations: string[]) => {
      const id = database
        .prepare(
          `INSERT INTO memory_entities (name, entity_type, created_at, updated_at) VALUES (?, ?, 'x', 'x') RETURNING id`,
        )
        .pluck()
        .get(name, entityType) as number;
      for (const content of observations)
        database
          .prepare(`INSERT INTO memory_observations (entity_id, content, created_at) VALUES (?, ?, 'x')`)
          .run(id, content);
    };
    insert(workdir, 'python-venv', 'machine-quirk', [
      'python after venv activation is a shim, call /venv/main/bin/python',
      `the provider key is ${CONFIG_SECRET}`,
    ]);
    insert(workdir, 'train-script', 'file', ['train.py']);
    insert(user, 'python-venv', 'other-type', [
      'pip is a shim too',
      'python after venv activation is a shim, call /venv/main/bin/python',
    ]);
    insert(user, 'hf-login', 'how-to', [`export HF_TOKEN=${TOKEN}`]);
    workdir
      .prepare(
        `INSERT INTO memory_relations (from_entity, to_entity, relation_type, created_at) VALUES ('train-script', 'python-venv', 'runs_with', 'x')`,
      )
      .run();
    user
      .prepare(
        `INSERT INTO memory_relations (from_entity, to_entity, relation_type, created_at) VALUES ('train-script', 'python-venv', 'runs_with', 'x'), ('hf-login', 'python-venv', 'needs', 'x')`,
      )
      .run();
    workdir.close();
    user.close();
  });
  after(() => project.remove());

  const MERGED = {
    entities: [
      {
        name: 'python-venv',
        entityType: 'machine-quirk',
        observations: [
          'python after venv activation is a shim, call /venv/main/bin/python',
          'the provider key is [REDACTED]',
          'pip is a shim too',
        ],
      },
      { name: 'train-script', entityType: 'file', observations: ['train.py'] },
      { name: 'hf-login', entityType: 'how-to', observations: ['export HF_TOKEN=[REDACTED]'] },
    ],
    relations: [
      { from: 'train-script', to: 'python-venv', relationType: 'runs_with' },
      { from: 'hf-login', to: 'python-venv', relationType: 'needs' },
    ],
  };

  it('export writes the entities and relations of both stores merged, secrets redacted; import carries them to a fresh user store', async () => {
    const file = join(project.directory, 'graph.jsonl');
    const exported = await cli(['export', '-o', file, '--config', config, '--workdir', 'a', '--user-store', 'user-a']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /^Exported 0 failures, 0 fixes, 3 entities and 2 relations \(from .*state\.db and .*memory\.db\) to .*graph\.jsonl\.\n$/,
    );
    const text = readFileSync(file, 'utf8');
    assert.equal(text.includes(CONFIG_SECRET) || text.includes(TOKEN), false, 'no secret in the export');
    assert.deepEqual(
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
      [
        ...MERGED.entities.map((entity) => ({ type: 'entity', ...entity })),
        ...MERGED.relations.map((relation) => ({ type: 'relation', ...relation })),
      ],
    );

    const imported = await cli(['import', file, '--workdir', 'b', '--user-store', 'user-b']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(
      imported.stdout,
      /^Imported 0 failures, 0 fixes, 3 entities and 2 relations into the user store \(.*user-b\/memory\.db\)\.\n$/,
    );
    assert.deepEqual(graphIn(join(project.directory, 'user-b')), MERGED);

    const again = await cli(['import', file, '--workdir', 'b', '--user-store', 'user-b', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), {
      store: join(project.directory, 'user-b', 'memory.db'),
      failures: 0,
      fixes: 0,
      entities: 3,
      relations: 2,
      merged: 5,
      skipped: [],
    });
    assert.deepEqual(graphIn(join(project.directory, 'user-b')), MERGED, 'importing twice changes nothing');
  });

  it('export --store picks the stores; import merges into an entity the store holds and redacts what it writes', async () => {
    const userOnly = join(project.directory, 'user-only.jsonl');
    const exported = await cli([
      'export',
      '-o',
      userOnly,
      '--workdir',
      'a',
      '--user-store',
      'user-a',
      '--store',
      'user',
    ]);
    assert.match(exported.stdout, /^Exported 0 failures, 0 fixes, 2 entities and 2 relations/);
    assert.match(readFileSync(userOnly, 'utf8'), /"name":"python-venv","entityType":"other-type"/);

    const withSecret = project.write(
      'secret.jsonl',
      `${JSON.stringify({ type: 'entity', name: 'train-script', entityType: 'script', observations: ['train.py', `key ${CONFIG_SECRET}`] })}\n`,
    );
    const imported = await cli([
      'import',
      withSecret,
      '--config',
      config,
      '--workdir',
      'a',
      '--store',
      'workdir',
      '--json',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), {
      store: join(project.directory, 'a', '.mux-swarm', 'state.db'),
      failures: 0,
      fixes: 0,
      entities: 1,
      relations: 0,
      merged: 1,
      skipped: [],
    });
    const trainScript = graphIn(join(project.directory, 'a', '.mux-swarm'), 'state.db').entities.find(
      (entity) => entity.name === 'train-script',
    );
    assert.deepEqual(trainScript, {
      name: 'train-script',
      entityType: 'file',
      observations: ['train.py', 'key [REDACTED]'],
    });
  });

  it('an export of an empty store imports as 0 and exits 0, and so does an empty file', async () => {
    const emptyExport = join(project.directory, 'empty.jsonl');
    const exported = await cli([
      'export',
      '-o',
      emptyExport,
      '--workdir',
      'nothing-here',
      '--user-store',
      'no-user-store-yet',
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^Exported 0 failures and 0 fixes \(nothing recorded yet\)/);
    assert.equal(statSync(emptyExport).size, 0);
    for (const file of [
      emptyExport,
      project.write('zero-bytes.jsonl', ''),
      project.write('blank-lines.jsonl', '\n\n'),
    ]) {
      const imported = await cli(['import', file, '--workdir', 'c', '--user-store', 'user-c']);
      assert.equal(imported.code, 0, `${file}: ${imported.stderr}`);
      assert.match(
        imported.stdout,
        /^Imported 0 failures and 0 fixes into the user store \(.*user-c\/memory\.db\)\.\n$/,
      );
      assert.equal(imported.stderr, '');
    }

    const storeWithNothing = join(project.directory, 'store-with-nothing.jsonl');
    await cli(['export', '-o', storeWithNothing, '--workdir', 'c', '--user-store', 'user-c', '--store', 'user']);
    const json = await cli(['import', storeWithNothing, '--workdir', 'c', '--user-store', 'user-c', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      store: join(project.directory, 'user-c', 'memory.db'),
      failures: 0,
      fixes: 0,
      entities: 0,
      relations: 0,
      merged: 0,
      skipped: [],
    });
  });

  it('a file whose every line is bad still exits 2 with the first problem; a bad graph line among good ones is skipped by number', async () => {
    const bad = project.write(
      'bad-graph.jsonl',
      '{"type":"entity","entityType":"x"}\n{"type":"relation","from":"a"}\n',
    );
    const refused = await cli(['import', bad, '--workdir', 'c', '--user-store', 'user-c']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^mux-swarm: .*bad-graph\.jsonl line 1: name: .*\(nothing imported\)\n$/);

    const mixed = project.write(
      'mixed.jsonl',
      `not json\n${JSON.stringify({ type: 'relation', from: 'a', to: 'b', relationType: 'r' })}\n{"type":"entity"}\n`,
    );
    const imported = await cli(['import', mixed, '--workdir', 'c', '--user-store', 'user-c']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^Imported 0 failures, 0 fixes, 0 entities and 1 relation into/);
    assert.match(imported.stderr, /^skipped .*mixed\.jsonl line 1: not JSON.*\nskipped .*mixed\.jsonl line 3: name: /);
  });
});

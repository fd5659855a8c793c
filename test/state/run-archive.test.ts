import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create as createTar, extract, list } from 'tar';
import { openDatabase } from '../../src/state/database.js';
import { MIGRATIONS } from '../../src/state/migrations.js';
import { exportRun } from '../../src/state/run-archive/export-run.js';
import { importRun } from '../../src/state/run-archive/import-run.js';
import { RunStore } from '../../src/state/run-store.js';

describe('run archives', () => {
  let base: string;
  let workdir: string;
  const runId = 'run-archive-test';

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'mux-swarm-archive-'));
    workdir = join(base, 'work');
    mkdirSync(join(workdir, 'src'), { recursive: true });
    writeFileSync(join(workdir, 'src', 'train.py'), 'print("train")\n');
    const store = new RunStore(openDatabase(join(workdir, '.mux-swarm')));
    store.createRun({
      id: runId,
      goalName: 'g',
      goalSource: 'goal.md',
      goalText: 'text',
      mode: 'hierarchical',
      settings: {},
      hostname: 'h',
      pid: 1,
      startedAt: new Date().toISOString(),
    });
    store.startDelegation({
      runId,
      id: 'd1',
      parentId: null,
      agent: 'orchestrator',
      fromAgent: null,
      depth: 0,
      task: 't',
      startedAt: new Date().toISOString(),
    });
    store.close();
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it('carries the database copy, a manifest and the workdir; the manifest says what and where', async () => {
    const output = join(base, 'a.tar.gz');
    const { manifest } = await exportRun({
      workdir,
      stateDirectory: join(workdir, '.mux-swarm'),
      runId,
      output,
      muxSwarmVersion: '9.9.9',
    });
    assert.equal(manifest.runId, runId);
    assert.equal(manifest.stateDirectory, '.mux-swarm');
    assert.equal(manifest.databaseSchemaVersion, MIGRATIONS.length);
    const unpacked = join(base, 'unpacked');
    mkdirSync(unpacked);
    await extract({ file: output, cwd: unpacked });
    assert.equal(JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')).muxSwarmVersion, '9.9.9');
    assert.equal(readFileSync(join(unpacked, 'workdir', 'src', 'train.py'), 'utf8'), 'print("train")\n');
    assert.throws(
      () => readFileSync(join(unpacked, 'workdir', '.mux-swarm', 'state.db')),
      /ENOENT/,
      'the live database is not in the workdir part',
    );
    const imported = await importRun({ archive: output, workdir: join(base, 'restored') });
    const database = openDatabase(imported.stateDirectory);
    assert.deepEqual(database.prepare('SELECT id FROM delegations WHERE run_id = ?').all(runId), [{ id: 'd1' }]);
    database.close();
  });

  it('refuses a database that fails the integrity check, leaving the target untouched', async () => {
    const output = join(base, 'b.tar.gz');
    await exportRun({ workdir, stateDirectory: join(workdir, '.mux-swarm'), runId, output, muxSwarmVersion: '1' });
    const unpacked = join(base, 'corrupt');
    mkdirSync(unpacked);
    await extract({ file: output, cwd: unpacked });
    const databaseFile = join(unpacked, 'state.db');
    const bytes = readFileSync(databaseFile);
    bytes.fill(0x5a, 4096 + 16, bytes.length); // every page after the first: garbage
    writeFileSync(databaseFile, bytes);
    const corrupt = join(base, 'corrupt.tar.gz');
    await createTar({ file: corrupt, gzip: true, cwd: unpacked }, ['state.db', 'workdir', 'manifest.json']);
    const target = join(base, 'not-restored');
    await assert.rejects(importRun({ archive: corrupt, workdir: target }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'import_integrity_failed');
      assert.match(
        error.message,
        /corrupt\.tar\.gz: the state database (cannot be opened|failed SQLite's integrity check)/,
      );
      return true;
    });
    assert.throws(() => readFileSync(join(target, 'src', 'train.py')), /ENOENT/);
  });

  it('never writes an entry named with ".." outside the import directory', async () => {
    const evil = join(base, 'evil');
    mkdirSync(join(evil, 'inner', 'workdir'), { recursive: true });
    writeFileSync(join(evil, 'planted.txt'), 'planted by the archive');
    const archive = join(base, 'evil.tar.gz');
    await createTar({ file: archive, gzip: true, cwd: join(evil, 'inner'), preservePaths: true }, [
      'workdir',
      '../planted.txt',
    ]);
    const listed: string[] = [];
    await list({ file: archive, onReadEntry: (entry) => listed.push(entry.path) });
    assert.ok(listed.includes('../planted.txt'), `the archive really holds a ".." entry (${listed.join(', ')})`);

    const parent = join(base, 'landing');
    await assert.rejects(
      importRun({ archive, workdir: join(parent, 'target') }),
      /could not be unpacked|holds no readable manifest\.json/,
    );
    assert.equal(existsSync(join(parent, 'planted.txt')), false, 'nothing was written next to the staging directory');
    assert.equal(existsSync(join(parent, 'target')), false);
  });
});

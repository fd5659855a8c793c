import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { openDatabase } from '../../src/state/database.js';
import { FailureStore } from '../../src/state/failure-store.js';
import { exportRun } from '../../src/state/run-archive/export-run.js';
import { importRun } from '../../src/state/run-archive/import-run.js';
import { RunStore } from '../../src/state/run-store.js';

/** A bare value no shape gives away: only the scrubber knows it. */
const SECRET = 'opaque-Secret-Value-4711x';

describe('run archives: secrets', () => {
  let base: string;
  let workdir: string;
  const runId = 'run-with-secrets';

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'mux-swarm-archive-secrets-'));
    workdir = join(base, 'work');
    const jobs = join(workdir, '.mux-swarm', 'runs', runId, 'spill', 'jobs');
    mkdirSync(jobs, { recursive: true });
    // Recorded without a scrubber, as by a mux-swarm before writes were scrubbed.
    const store = new RunStore(openDatabase(join(workdir, '.mux-swarm')));
    store.createRun({
      id: runId,
      goalName: 'g',
      goalSource: 'goal.md',
      goalText: `use ${SECRET}`,
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
    store.startToolCall({
      runId,
      id: 'd1.1.0',
      delegationId: 'd1',
      agent: 'orchestrator',
      turn: 1,
      modelCallId: 'c1',
      name: 'shell__run_command',
      argumentsJson: '{"command":"env"}',
      startedAt: new Date().toISOString(),
    });
    store.finishToolCall({
      runId,
      id: 'd1.1.0',
      resultText: `MY_TOKEN=${SECRET}`,
      replyText: `MY_TOKEN=${SECRET}`,
      isError: false,
      durationMs: 1,
    });
    new FailureStore(store.database).recordOccurrence(
      { fingerprint: 'f'.repeat(16), kind: 'generic', type: 'ConnectionError', message: 'refused', frame: null },
      `ConnectionError: refused with ${SECRET}`,
      new Date().toISOString(),
    );
    store.close();
    writeFileSync(join(jobs, 'shell-1.output.log'), `token=${SECRET}\n`);
    writeFileSync(join(workdir, 'notes.txt'), `a program wrote ${SECRET}\n`);
    writeFileSync(join(workdir, 'clean.txt'), 'nothing here\n');
    utimesSync(join(workdir, 'notes.txt'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it('carries a scrubbed database copy and scrubbed copies of the files that hold a secret; the live files stay as they are', async () => {
    const output = join(base, 'run.tar.gz');
    const { manifest } = await exportRun({
      workdir,
      stateDirectory: join(workdir, '.mux-swarm'),
      runId,
      output,
      muxSwarmVersion: '1',
      scrubber: new SecretScrubber([SECRET]),
    });
    const unpacked = join(base, 'unpacked');
    mkdirSync(unpacked);
    await extract({ file: output, cwd: unpacked });
    assert.ok(
      !readFileSync(join(unpacked, 'state.db')).toString('latin1').includes(SECRET),
      'the database copy holds no secret, not even in free pages',
    );
    assert.equal(
      readFileSync(
        join(unpacked, 'workdir', '.mux-swarm', 'runs', runId, 'spill', 'jobs', 'shell-1.output.log'),
        'utf8',
      ),
      'token=[REDACTED]\n',
    );
    assert.equal(readFileSync(join(unpacked, 'workdir', 'notes.txt'), 'utf8'), 'a program wrote [REDACTED]\n');
    assert.equal(
      statSync(join(unpacked, 'workdir', 'notes.txt')).mtime.toISOString(),
      '2020-01-02T03:04:05.000Z',
      'the copy keeps the time',
    );
    assert.equal(readFileSync(join(unpacked, 'workdir', 'clean.txt'), 'utf8'), 'nothing here\n');
    assert.ok(manifest.files >= 3);
    // The live workdir is the user's: untouched.
    assert.equal(readFileSync(join(workdir, 'notes.txt'), 'utf8'), `a program wrote ${SECRET}\n`);

    const imported = await importRun({ archive: output, workdir: join(base, 'restored') });
    const database = openDatabase(imported.stateDirectory);
    try {
      assert.equal(
        (database.prepare('SELECT result_text FROM tool_calls WHERE run_id = ?').get(runId) as { result_text: string })
          .result_text,
        'MY_TOKEN=[REDACTED]',
      );
      assert.equal(
        (database.prepare('SELECT goal_text FROM runs WHERE id = ?').get(runId) as { goal_text: string }).goal_text,
        'use [REDACTED]',
      );
      // The full-text index followed the scrubbed example.
      const found = new FailureStore(database).search('ConnectionError refused');
      assert.equal(found.length, 1);
      assert.equal(found[0]!.failure.example, 'ConnectionError: refused with [REDACTED]');
    } finally {
      database.close();
    }
  });

  it('carries everything as it is without a scrubber', async () => {
    const output = join(base, 'raw.tar.gz');
    await exportRun({ workdir, stateDirectory: join(workdir, '.mux-swarm'), runId, output, muxSwarmVersion: '1' });
    const unpacked = join(base, 'raw');
    mkdirSync(unpacked);
    await extract({ file: output, cwd: unpacked });
    assert.equal(readFileSync(join(unpacked, 'workdir', 'notes.txt'), 'utf8'), `a program wrote ${SECRET}\n`);
  });
});
